import type { SendOutcome } from '../delivery-policy.js';
import { telegramText } from '../render.js';
import { parseJson } from './discord.js';
import { type ChannelSender, networkReason, post, snippet, type SendInput } from './http.js';

export interface TelegramTarget {
  botToken: string;
  chatId: number | string;
  messageThreadId?: number;
  apiBaseUrl: string;
}

interface TelegramAnswer {
  ok?: boolean;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

/**
 * The Bot API's sendMessage: POST `<api>/bot<token>/sendMessage` with `chat_id` and `text`. Every
 * answer is JSON with `ok`; a failure has `error_code`, `description` and, for flood control,
 * `parameters.retry_after` (seconds), or `parameters.migrate_to_chat_id` when a group became a
 * supergroup.
 */
export class TelegramSender implements ChannelSender {
  constructor(
    private readonly target: TelegramTarget,
    private readonly timeoutMs?: number,
  ) {}

  async send({ message }: SendInput): Promise<SendOutcome> {
    const base = this.target.apiBaseUrl.replace(/\/+$/, '');
    const body = {
      chat_id: this.target.chatId,
      text: telegramText(message),
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
      ...(this.target.messageThreadId ? { message_thread_id: this.target.messageThreadId } : {}),
    };
    let answer;
    try {
      answer = await post(
        `${base}/bot${this.target.botToken}/sendMessage`,
        JSON.stringify(body),
        { 'content-type': 'application/json' },
        this.timeoutMs,
      );
    } catch (error) {
      return { ok: false, retry: true, reason: networkReason('Telegram', error) };
    }
    const json = parseJson(answer.body) as TelegramAnswer | null;
    if (answer.status >= 200 && answer.status < 300 && json?.ok === true) return { ok: true };
    const code = json?.error_code ?? answer.status;
    const said = snippet(json?.description ?? answer.body, [this.target.botToken]);
    const retryAfter = json?.parameters?.retry_after;
    if (typeof retryAfter === 'number' && Number.isFinite(retryAfter)) {
      return {
        ok: false,
        retry: true,
        retryAfterMs: Math.min(Math.ceil(retryAfter * 1000), 86_400_000),
        reason: `Telegram flood control: ${said}`,
      };
    }
    const migrated = json?.parameters?.migrate_to_chat_id;
    if (typeof migrated === 'number') {
      return { ok: false, retry: false, reason: `the group became a supergroup: set the chat id to ${migrated}` };
    }
    if (code === 401) return { ok: false, retry: false, reason: `Telegram refused the bot token (401): ${said}` };
    if (code === 429 || code >= 500 || !json) return { ok: false, retry: true, reason: `Telegram answered ${code}: ${said}` };
    return { ok: false, retry: false, reason: `Telegram answered ${code}: ${said}` };
  }
}
