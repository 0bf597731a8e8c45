import type { SendOutcome } from '../delivery-policy.js';
import { discordBody } from '../render.js';
import { type ChannelSender, httpOutcome, networkReason, post, snippet, type SendInput } from './http.js';

export interface DiscordTarget {
  webhookUrl: string;
  username?: string;
}

/**
 * Discord's Execute Webhook: POST the webhook URL with `content` and `embeds`. `wait=true` makes
 * Discord confirm the message was saved (without it, a message that is not saved returns no
 * error). A 429 carries `retry_after` in seconds in its JSON body (and a Retry-After header);
 * a 404 means the webhook was deleted and must not be called again.
 */
export class DiscordSender implements ChannelSender {
  constructor(
    private readonly target: DiscordTarget,
    private readonly now: () => number = Date.now,
    private readonly timeoutMs?: number,
  ) {}

  async send({ message }: SendInput): Promise<SendOutcome> {
    const url = `${this.target.webhookUrl}${this.target.webhookUrl.includes('?') ? '&' : '?'}wait=true`;
    const secrets = [this.target.webhookUrl.split('/').pop() ?? ''];
    let answer;
    try {
      answer = await post(
        url,
        JSON.stringify(discordBody(message, this.target.username)),
        { 'content-type': 'application/json' },
        this.timeoutMs,
      );
    } catch (error) {
      return { ok: false, retry: true, reason: networkReason('Discord', error) };
    }
    if (answer.status === 429) {
      const body = parseJson(answer.body) as { retry_after?: unknown; global?: unknown } | null;
      const seconds = typeof body?.retry_after === 'number' && Number.isFinite(body.retry_after) ? body.retry_after : undefined;
      const fromHeader = httpOutcome('Discord', answer, this.now());
      const retryAfterMs =
        seconds !== undefined ? Math.min(Math.ceil(seconds * 1000), 86_400_000) : !fromHeader.ok ? fromHeader.retryAfterMs : undefined;
      return {
        ok: false,
        retry: true,
        reason: `Discord rate limit${body?.global === true ? ' (global)' : ''}: retry after ${((retryAfterMs ?? 0) / 1000).toFixed(1)} s`,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      };
    }
    if (answer.status === 404)
      return { ok: false, retry: false, reason: 'Discord says this webhook no longer exists (HTTP 404): make a new webhook URL' };
    if (answer.status === 401 || answer.status === 403) {
      return { ok: false, retry: false, reason: `Discord refused the webhook (HTTP ${answer.status}): ${snippet(answer.body, secrets)}` };
    }
    return httpOutcome('Discord', answer, this.now(), secrets);
  }
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
