import type { BrokerAccount, PluginLogger } from '@tradeloop/contracts';
import { Session } from './session.js';
import { loginKey, loginOf, type ProjectXSettings } from './settings.js';

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
 * The sessions of this plugin, one per ProjectX login, shared by the broker and the data feed. A
 * session is replaced when its API key changes and stopped when no account uses it any more.
 */
export class SessionPool {
  private readonly sessions = new Map<string, Session>();
  private readonly secretValues = new Set<string>();

  constructor(
    private readonly settings: ProjectXSettings,
    private readonly logger: PluginLogger,
  ) {}

  secrets(): Iterable<string> {
    return this.secretValues;
  }

  /** The session of an account's login, created (or recreated after a key change) on demand. */
  resolve(account: BrokerAccount): Resolved {
    for (const value of Object.values(account.secrets)) if (typeof value === 'string' && value) this.secretValues.add(value);
    const login = loginOf(account, this.settings);
    if ('problem' in login) return { ok: false, problem: login.problem };
    const key = loginKey(login);
    let session = this.sessions.get(key);
    if (session && session.login.apiKey !== login.apiKey) {
      void session.stop();
      session = undefined;
    }
    if (!session) this.sessions.set(key, (session = new Session(login, this.settings, this.logger)));
    return { ok: true, account, session };
  }

  /** Stops sessions no account uses any more. */
  prune(accounts: BrokerAccount[]): void {
    const keep = new Set<string>();
    for (const account of accounts) {
      const login = loginOf(account, this.settings);
      if (!('problem' in login)) keep.add(loginKey(login));
    }
    for (const [key, session] of this.sessions)
      if (!keep.has(key)) {
        this.sessions.delete(key);
        void session.stop();
      }
  }

  all(): Session[] {
    return [...this.sessions.values()];
  }

  async stop(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => s.stop()));
    this.sessions.clear();
  }
}
