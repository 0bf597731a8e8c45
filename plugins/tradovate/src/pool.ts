import type { BrokerAccount, PluginLogger } from '@tradeloop/contracts';
import { createHash } from 'node:crypto';
import { Session } from './session.js';
import { loginKey, loginOf, type Login, type TradovateSettings } from './settings.js';

const digest = (login: Login) =>
  createHash('sha256')
    .update(
      JSON.stringify([
        login.environment,
        login.appVersion,
        login.deviceId ?? '',
        login.partner,
        login.wsUrl,
        login.mdUrl,
        login.password,
        login.sec,
      ]),
    )
    .digest('hex');

/** Replaces every known secret in a text with `***`: logs and error messages never carry one. */
export function redact(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 3) out = out.split(secret).join('***');
  return out;
}

/** A logger that redacts the pool's secrets from every message, whatever produced it. */
export function redactingLogger(logger: PluginLogger, secrets: () => Iterable<string>): PluginLogger {
  const wrap = (write: (message: string) => void) => (message: string) => write(redact(message, secrets()));
  return { debug: wrap(logger.debug), info: wrap(logger.info), warn: wrap(logger.warn), error: wrap(logger.error) };
}

export type Resolved = { ok: true; account: BrokerAccount; session: Session } | { ok: false; problem: string };

/**
 * The sessions of this plugin, one per Tradovate login, shared by the broker and the data feed.
 * A session is replaced when its credentials change and stopped when no account uses it any more.
 */
export class SessionPool {
  private readonly sessions = new Map<string, { session: Session; digest: string }>();
  private readonly secretValues = new Set<string>();
  private stopped = false;

  constructor(
    private readonly settings: TradovateSettings,
    private readonly logger: PluginLogger,
  ) {}

  /** Every secret seen in an account, for redaction (kept after a change: old values must not leak either). */
  secrets(): Iterable<string> {
    return this.secretValues;
  }

  remember(accounts: BrokerAccount[]): void {
    for (const account of accounts) for (const value of Object.values(account.secrets)) if (value) this.secretValues.add(value);
  }

  /** The session of an account's login, created (or recreated after a credential change) on demand. */
  resolve(account: BrokerAccount): Resolved {
    this.remember([account]);
    if (this.stopped) return { ok: false, problem: 'the Tradovate plugin is stopping' };
    const result = loginOf(account, this.settings);
    if (!result.ok) return { ok: false, problem: result.problem };
    const key = loginKey(result.login);
    const wanted = digest(result.login);
    const existing = this.sessions.get(key);
    if (existing && existing.digest === wanted) return { ok: true, account, session: existing.session };
    if (existing) {
      this.logger.info(`credentials of ${existing.session.label} changed: starting a new Tradovate session`);
      void existing.session.stop();
    }
    const session = new Session(result.login, this.settings, this.logger);
    this.sessions.set(key, { session, digest: wanted });
    return { ok: true, account, session };
  }

  all(): Session[] {
    return [...this.sessions.values()].map((s) => s.session);
  }

  /** Stops the sessions none of these accounts use any more. */
  prune(accounts: BrokerAccount[]): void {
    const used = new Set<string>();
    for (const account of accounts) {
      const result = loginOf(account, this.settings);
      if (result.ok) used.add(loginKey(result.login));
    }
    for (const [key, { session }] of this.sessions) {
      if (used.has(key)) continue;
      this.sessions.delete(key);
      void session.stop();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const sessions = this.all();
    this.sessions.clear();
    await Promise.all(sessions.map((s) => s.stop()));
  }
}
