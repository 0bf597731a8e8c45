/**
 * Local stand-ins for the services notifications go to, speaking their documented shapes:
 * Discord's Execute Webhook (JSON body with content/embeds, embed limits, 429 with `retry_after`
 * and Retry-After, 404 "Unknown Webhook"), Telegram's sendMessage (`{ok, result}` or
 * `{ok:false, error_code, description, parameters}`), and a JSON receiver that checks an HMAC
 * signature. Each can be told to fail the next requests the way its service does.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  at: number;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

type Answer = { status: number; headers?: Record<string, string>; body?: unknown };

abstract class FakeService {
  /** Every request, answered or not. */
  readonly requests: Received[] = [];
  /** Requests the service accepted. */
  readonly accepted: Received[] = [];
  private server: Server | null = null;
  private scripted: ((request: Received) => Answer | null)[] = [];
  port = 0;

  /** The next request gets this answer instead of the normal one. */
  answerNext(answer: (request: Received) => Answer | null): void {
    this.scripted.push(answer);
  }

  /** Listens (on `port` if given: a service coming back where it was). */
  async start(port = 0): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  protected abstract answer(request: Received, raw: string): Answer;

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      // Left empty: each fake answers a body it cannot read the way its service does.
    }
    const request: Received = { at: Date.now(), path: url.pathname, query: url.searchParams, headers: req.headers, body };
    this.requests.push(request);
    const answer = (req.method === 'POST' && this.scripted.shift()?.(request)) || this.answer(request, raw);
    if (answer.status >= 200 && answer.status < 300) this.accepted.push(request);
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
  }
}

const EMBED_LIMITS = { title: 256, description: 4096, fields: 25, fieldName: 256, fieldValue: 1024, footer: 2048, total: 6000 };

/** Discord's Execute Webhook at `/api/webhooks/<id>/<token>`. */
export class FakeDiscord extends FakeService {
  readonly id = '123456789012345678';
  readonly token = 'fake-token_abc';

  get webhookUrl(): string {
    return `http://127.0.0.1:${this.port}/api/webhooks/${this.id}/${this.token}`;
  }

  /** A 429 as Discord sends it: JSON `retry_after` in seconds, the Retry-After header rounded up. */
  static rateLimited(retryAfterSeconds: number): Answer {
    return {
      status: 429,
      headers: {
        'retry-after': String(Math.ceil(retryAfterSeconds)),
        'x-ratelimit-limit': '5',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset-after': String(retryAfterSeconds),
        'x-ratelimit-bucket': 'abcd1234',
        'x-ratelimit-scope': 'user',
      },
      body: { message: 'You are being rate limited.', retry_after: retryAfterSeconds, global: false },
    };
  }

  protected answer(request: Received): Answer {
    if (request.path !== `/api/webhooks/${this.id}/${this.token}`)
      return { status: 404, body: { message: 'Unknown Webhook', code: 10015 } };
    if (!String(request.headers['content-type']).startsWith('application/json'))
      return { status: 400, body: { message: 'Cannot send an empty message', code: 50006 } };
    const { content, embeds } = request.body as { content?: string; embeds?: Record<string, unknown>[] };
    if (!content && !embeds?.length) return { status: 400, body: { message: 'Cannot send an empty message', code: 50006 } };
    const problem = embedProblem(content, embeds ?? []);
    if (problem)
      return {
        status: 400,
        body: {
          message: 'Invalid Form Body',
          code: 50035,
          errors: { embeds: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: problem }] } },
        },
      };
    if (request.query.get('wait') !== 'true') return { status: 204 };
    return { status: 200, body: { id: String(this.requests.length), type: 0, content, embeds, webhook_id: this.id, channel_id: '42' } };
  }
}

function embedProblem(content: string | undefined, embeds: Record<string, unknown>[]): string | null {
  if ((content ?? '').length > 2000) return 'content is over 2000 characters';
  if (embeds.length > 10) return 'more than 10 embeds';
  let total = 0;
  for (const embed of embeds) {
    const title = String(embed.title ?? '');
    const description = String(embed.description ?? '');
    const fields = (embed.fields ?? []) as { name: string; value: string }[];
    const footer = String((embed.footer as { text?: string } | undefined)?.text ?? '');
    if (title.length > EMBED_LIMITS.title || description.length > EMBED_LIMITS.description || footer.length > EMBED_LIMITS.footer)
      return 'an embed text is too long';
    if (fields.length > EMBED_LIMITS.fields) return 'more than 25 fields';
    for (const field of fields) {
      if (!field.name || !field.value || field.name.length > EMBED_LIMITS.fieldName || field.value.length > EMBED_LIMITS.fieldValue)
        return 'a field is empty or too long';
      total += field.name.length + field.value.length;
    }
    total += title.length + description.length + footer.length;
  }
  return total > EMBED_LIMITS.total ? 'embeds over 6000 characters' : null;
}

/** Telegram's Bot API at `/bot<token>/sendMessage`. */
export class FakeTelegram extends FakeService {
  readonly token = '123456789:AAE_fake-token-for-tests-000000000';
  readonly chats = new Set<string>(['-1001234567890', '987654321']);

  get apiBaseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static error(code: number, description: string, parameters?: Record<string, number>): Answer {
    return { status: code, body: { ok: false, error_code: code, description, ...(parameters ? { parameters } : {}) } };
  }

  protected answer(request: Received): Answer {
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(request.path);
    if (!match || match[1] !== this.token) return FakeTelegram.error(401, 'Unauthorized');
    if (match[2].toLowerCase() !== 'sendmessage') return FakeTelegram.error(404, 'Not Found');
    const { chat_id: chatId, text, parse_mode: parseMode } = request.body as { chat_id?: unknown; text?: string; parse_mode?: string };
    if (chatId === undefined || !this.chats.has(String(chatId))) return FakeTelegram.error(400, 'Bad Request: chat not found');
    // Length counts after entities are parsed: tags out, entities back to characters.
    const plain = parseMode === 'HTML' ? (text ?? '').replace(/<[^>]+>/g, '').replace(/&lt;|&gt;|&amp;|&quot;/g, '.') : (text ?? '');
    if (!plain.trim()) return FakeTelegram.error(400, 'Bad Request: message text is empty');
    if (plain.length > 4096) return FakeTelegram.error(400, 'Bad Request: message is too long');
    if (parseMode === 'HTML' && /<(?!\/?(b|i|u|s|code|pre|a)\b)[^>]*>/.test(text ?? '')) {
      return FakeTelegram.error(400, "Bad Request: can't parse entities: unsupported start tag");
    }
    return {
      status: 200,
      body: {
        ok: true,
        result: { message_id: this.accepted.length + 1, chat: { id: Number(chatId) }, date: Math.floor(Date.now() / 1000), text: plain },
      },
    };
  }
}

/** A generic JSON receiver that checks `X-Tradeloop-Signature` when it has a secret. */
export class FakeReceiver extends FakeService {
  constructor(private readonly secret?: string) {
    super();
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/tradeloop`;
  }

  protected answer(request: Received, raw: string): Answer {
    if (this.secret) {
      const expected = `sha256=${createHmac('sha256', this.secret).update(raw).digest('hex')}`;
      if (request.headers['x-tradeloop-signature'] !== expected) return { status: 401, body: { error: 'bad signature' } };
    }
    return { status: 202, body: { received: true } };
  }
}

/** Resolves once `check` holds, or fails after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
