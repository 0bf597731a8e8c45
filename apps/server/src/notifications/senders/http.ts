import { parseRetryAfter, type SendOutcome } from '../delivery-policy.js';
import type { SendInput } from './send-input.js';

/** An answer to one POST: the status, the headers, and at most 64 KB of the body. */
export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: string;
}

const MAX_BODY = 64 * 1024;
export const DEFAULT_TIMEOUT_MS = 10_000;

/** Reads at most `MAX_BODY` bytes, then stops: a misbehaving server cannot make us buffer megabytes. */
async function boundedText(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size >= MAX_BODY) {
      await reader.cancel();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, MAX_BODY).toString('utf8');
}

/**
 * POSTs a body and reads the answer. Never follows a redirect (a notification goes where it was
 * configured to, or fails saying where it was sent instead). Throws on a network error or timeout.
 */
export async function post(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<HttpAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'user-agent': 'Tradeloop', ...headers },
    body,
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: response.status, headers: response.headers, body: await boundedText(response) };
}

/** A network failure in words, without the URL (it may hold a token). */
export function networkReason(service: string, error: unknown): string {
  const err = error as Error & { cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return `${service} did not answer in time`;
  const detail = err.cause?.code ?? err.cause?.message ?? err.message;
  return `could not reach ${service}: ${detail}`;
}

/** Text from a service, on one line and short, with any secret it echoes masked. */
export function snippet(text: string, secrets: string[] = [], max = 200): string {
  let flat = text.replace(/\s+/g, ' ').trim();
  for (const secret of secrets) if (secret) flat = flat.split(secret).join('••••');
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/**
 * The usual reading of an HTTP status: 2xx sent; 429, 408, 425 and 5xx worth another try (with
 * the server's Retry-After when it gave one); anything else will not get better by retrying.
 */
export function httpOutcome(service: string, answer: HttpAnswer, now: number, secrets: string[] = []): SendOutcome {
  const { status } = answer;
  if (status >= 200 && status < 300) return { ok: true };
  const retryAfterMs = parseRetryAfter(answer.headers.get('retry-after'), now);
  const said = snippet(answer.body, secrets);
  const reason = `${service} answered HTTP ${status}${said ? `: ${said}` : ''}`;
  if (status >= 300 && status < 400)
    return { ok: false, retry: false, reason: `${service} redirected (HTTP ${status}); use the final URL` };
  if (status === 429 || status === 408 || status === 425 || status >= 500) {
    return { ok: false, retry: true, reason, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  }
  return { ok: false, retry: false, reason };
}

/** What every channel's sender does. */
export interface ChannelSender {
  send(body: SendInput): Promise<SendOutcome>;
  close?(): void;
}

export type { SendInput };
