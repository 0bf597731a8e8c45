import { createHmac } from 'node:crypto';
import type { SendOutcome } from '../delivery-policy.js';
import { webhookBody } from '../render.js';
import { type ChannelSender, httpOutcome, networkReason, post, type SendInput } from './http.js';

export interface WebhookTarget {
  url: string;
  authorization?: string;
  signingSecret?: string;
}

/** Signature of a body as the receiver checks it: `sha256=` and the hex HMAC-SHA256 of the raw body. */
export const signBody = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** A generic JSON webhook: POST the notification and its event; any 2xx is delivered. */
export class WebhookSender implements ChannelSender {
  constructor(
    private readonly target: WebhookTarget,
    private readonly now: () => number = Date.now,
    private readonly timeoutMs?: number,
  ) {}

  async send({ message, event }: SendInput): Promise<SendOutcome> {
    const body = JSON.stringify(webhookBody(message, event));
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-tradeloop-event': message.kind };
    if (this.target.authorization) headers.authorization = this.target.authorization;
    if (this.target.signingSecret) headers['x-tradeloop-signature'] = signBody(this.target.signingSecret, body);
    const host = new URL(this.target.url).host;
    try {
      const answer = await post(this.target.url, body, headers, this.timeoutMs);
      return httpOutcome(host, answer, this.now(), [this.target.authorization ?? '']);
    } catch (error) {
      return { ok: false, retry: true, reason: networkReason(host, error) };
    }
  }
}
