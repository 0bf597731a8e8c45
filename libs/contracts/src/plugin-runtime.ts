import type { OrderAck, OrderRequest } from './orders.js';
import type { BrokerAccount, BrokerContext, DataFeedPlugin, PluginLogger } from './plugins.js';

/**
 * Runtime pieces that broker plugins share: the wire shapes above stay plain types, these are the
 * small behaviours several plugins had written out alike (a bounded error text, secret redaction,
 * per-account links kept in step with the accounts, one placement per clientOrderId, the life of a
 * tracked order, sessions pooled by login). Nothing here touches the network or Node's own modules.
 */

/** An error's message (or the thrown value as text), cut to `max` characters for a log line or a reason. */
export const errorText = (error: unknown, max = 300): string => (error instanceof Error ? error.message : String(error)).slice(0, max);

/** Replaces every known secret in a text with `***`: logs and error messages never carry one. */
export function redact(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 3) out = out.split(secret).join('***');
  return out;
}

/** A logger that redacts the secrets known at the time of each message, whatever produced it. */
export function redactingLogger(logger: PluginLogger, secrets: () => Iterable<string>): PluginLogger {
  const wrap = (write: (message: string) => void) => (message: string) => write(redact(message, secrets()));
  return { debug: wrap(logger.debug), info: wrap(logger.info), warn: wrap(logger.warn), error: wrap(logger.error) };
}

/**
 * Reads a plugin's number settings into `settings` (which holds the defaults): a missing value keeps
 * its default, a value outside its bounds (or not a number) too, with a warning naming the key.
 */
export function readNumberSettings<K extends string>(
  config: Record<string, unknown>,
  settings: Record<NoInfer<K>, number>,
  bounds: Record<K, readonly [min: number, max: number]>,
  warn: (message: string) => void,
): void {
  for (const key of Object.keys(bounds) as K[]) {
    const value = config[key];
    if (value == null) continue;
    const [min, max] = bounds[key];
    if (typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max) {
      settings[key] = value;
      continue;
    }
    const range = max === Infinity ? `≥ ${min}` : `from ${min} to ${max}`;
    warn(`${key} must be a number ${range}, got ${String(JSON.stringify(value)).slice(0, 80)}: using ${settings[key]}`);
  }
}

/** Where an order the plugin follows stands; the last three are final. */
export type TrackedState = 'placing' | 'working' | 'filled' | 'cancelled' | 'rejected';

export const isFinal = (tracked: { state: TrackedState }): boolean =>
  tracked.state === 'filled' || tracked.state === 'cancelled' || tracked.state === 'rejected';

/** An order a plugin placed (or found again after a restart), followed until it is done. */
export interface TrackedOrder {
  clientOrderId: string;
  state: TrackedState;
  reason?: string;
  /** True once placeOrder answered: later changes go out as order updates. */
  acked: boolean;
  /** True once the final state went out (as the ack or an update). */
  finalReported: boolean;
  /** Woken when the order becomes final. */
  waiters: (() => void)[];
}

/** Waits until the order is final or `ms` pass. */
export function settleOrder(tracked: TrackedOrder, ms: number): Promise<void> {
  if (isFinal(tracked) || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      resolve();
    }
    tracked.waiters.push(done);
  });
}

/**
 * The order is done: its state set once, whoever waits for it woken, and the end reported as an
 * order update when placeOrder has answered already (before that, the ack carries it).
 */
export async function finishOrder(
  ctx: Pick<BrokerContext, 'reportOrderUpdate'>,
  tracked: TrackedOrder,
  brokerOrderId: string,
  state: 'filled' | 'cancelled' | 'rejected',
  reason?: string,
): Promise<void> {
  if (isFinal(tracked)) return;
  tracked.state = state;
  if (reason) tracked.reason = reason;
  for (const wake of tracked.waiters.splice(0)) wake();
  if (!tracked.acked || tracked.finalReported) return;
  tracked.finalReported = true;
  await ctx.reportOrderUpdate({
    clientOrderId: tracked.clientOrderId,
    brokerOrderId,
    status: state,
    ...(reason && state !== 'filled' ? { reason } : {}),
  });
}

/** placeOrder made idempotent per clientOrderId: a repeated order gets the first placement's answer. */
export class Placements {
  private readonly acks = new Map<string, Promise<OrderAck>>();

  place(order: OrderRequest, send: (order: OrderRequest) => Promise<OrderAck>): Promise<OrderAck> {
    const known = this.acks.get(order.clientOrderId);
    if (known) return known;
    const placing = send(order);
    this.acks.set(order.clientOrderId, placing);
    return placing;
  }

  /** The answer of an order placed here once it is in; undefined when it was never placed here or its placement threw. */
  settled(clientOrderId: string): Promise<OrderAck | undefined> {
    return this.acks.get(clientOrderId)?.catch(() => undefined) ?? Promise.resolve(undefined);
  }
}

/** One account's connection to its broker, as AccountLinks keeps it. */
export interface AccountLink<Login> {
  readonly login: Login;
  start(): void;
  stop(): Promise<void>;
}

export interface AccountLinksOptions<Login, Link extends AccountLink<Login>> {
  ctx: Pick<BrokerContext, 'accounts' | 'onAccountsChanged'>;
  logger: PluginLogger;
  /** The broker's name in log lines ("reading the Alpaca accounts failed"). */
  name: string;
  /** The account's login (an object, never text), or the problem with its settings in words (logged as a warning, the account skipped). */
  loginOf(account: BrokerAccount): Login | string;
  /** A link for a new account or a changed login; `previous` is the link it replaces (stopped already), to carry its orders over. */
  open(account: BrokerAccount, login: Login, previous: Link | undefined): Link;
  /** Runs before the logins are read; false skips this round (it logged why). */
  prepare?(accounts: BrokerAccount[]): Promise<boolean>;
}

/**
 * The links of a broker plugin, one per account, kept in step with the server's accounts: a link
 * opens for a new account, is replaced when its login changes, and stops when its account goes.
 * Rounds run one after another, and an order waits for the round in progress (`settled()`).
 */
export class AccountLinks<Login, Link extends AccountLink<Login>> {
  private readonly links = new Map<string, Link>();
  private syncing: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly options: AccountLinksOptions<Login, Link>) {}

  get size(): number {
    return this.links.size;
  }

  get(brokerAccountId: string): Link | undefined {
    return this.links.get(brokerAccountId);
  }

  values(): Link[] {
    return [...this.links.values()];
  }

  /** Follows account changes from now on and opens the links of the accounts there are. */
  async start(): Promise<void> {
    this.unsubscribe = this.options.ctx.onAccountsChanged(() => void this.sync());
    await this.sync();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.syncing;
    await Promise.all(this.values().map((link) => link.stop()));
    this.links.clear();
  }

  /** Resolves once the round in progress (if any) is over. */
  settled(): Promise<void> {
    return this.syncing;
  }

  /** The link of an account once the round in progress is over, or in words why there is none. */
  async linkFor(brokerAccountId: string): Promise<Link | string> {
    await this.syncing;
    return this.links.get(brokerAccountId) ?? `no ${this.options.name} account "${brokerAccountId}" is configured in Tradeloop`;
  }

  /** Opens a link for each new or changed account and closes the links of accounts gone. */
  sync(): Promise<void> {
    this.syncing = this.syncing.then(async () => {
      const { ctx, logger, name, loginOf, open, prepare } = this.options;
      let accounts: BrokerAccount[];
      try {
        accounts = await ctx.accounts();
      } catch (error) {
        logger.error(`reading the ${name} accounts failed: ${errorText(error)}`);
        return;
      }
      if (prepare && !(await prepare(accounts))) return;
      const seen = new Set<string>();
      for (const account of accounts) {
        const login = loginOf(account);
        if (typeof login === 'string') {
          logger.warn(login);
          continue;
        }
        seen.add(account.brokerAccountId);
        const current = this.links.get(account.brokerAccountId);
        if (current && JSON.stringify(current.login) === JSON.stringify(login)) continue;
        await current?.stop();
        const link = open(account, login, current);
        this.links.set(account.brokerAccountId, link);
        link.start();
      }
      for (const [id, link] of this.links) {
        if (seen.has(id)) continue;
        this.links.delete(id);
        await link.stop();
      }
    });
    return this.syncing;
  }
}

export interface SessionPoolOptions<Login, Session extends { stop(): Promise<void> }> {
  /** The broker's name ("the Tradovate plugin is stopping"). */
  name: string;
  logger: PluginLogger;
  /** The account's login, or the problem with its settings in words. */
  loginOf(account: BrokerAccount): { login: Login } | { problem: string };
  /** Accounts whose logins have the same key share one session. */
  key(login: Login): string;
  /** What makes a session stale for the same key (its credentials): a change replaces it. */
  fingerprint(login: Login): string;
  open(login: Login): Session;
  /** Who the session is, for the line logged when its credentials change (no secret). */
  label(session: Session): string;
}

export type Resolved<Session> = { ok: true; account: BrokerAccount; session: Session } | { ok: false; problem: string };

/**
 * The sessions of a plugin, one per login, shared by its broker and its data feed. A session is
 * replaced when its credentials change and stopped when no account uses it any more; every secret
 * an account ever had is kept for redaction (old values must not leak either).
 */
export class SessionPool<Login, Session extends { stop(): Promise<void> }> {
  private readonly sessions = new Map<string, { session: Session; fingerprint: string }>();
  private readonly secretValues = new Set<string>();
  private stopped = false;

  constructor(private readonly options: SessionPoolOptions<Login, Session>) {}

  secrets(): Iterable<string> {
    return this.secretValues;
  }

  remember(accounts: BrokerAccount[]): void {
    for (const account of accounts) for (const value of Object.values(account.secrets)) if (value) this.secretValues.add(value);
  }

  /** The session of an account's login, created (or recreated after a credential change) on demand. */
  resolve(account: BrokerAccount): Resolved<Session> {
    this.remember([account]);
    const { name, logger, loginOf, key, fingerprint, open, label } = this.options;
    if (this.stopped) return { ok: false, problem: `the ${name} plugin is stopping` };
    const result = loginOf(account);
    if ('problem' in result) return { ok: false, problem: result.problem };
    const id = key(result.login);
    const wanted = fingerprint(result.login);
    const existing = this.sessions.get(id);
    if (existing && existing.fingerprint === wanted) return { ok: true, account, session: existing.session };
    if (existing) {
      logger.info(`credentials of ${label(existing.session)} changed: starting a new ${name} session`);
      void existing.session.stop();
    }
    const session = open(result.login);
    this.sessions.set(id, { session, fingerprint: wanted });
    return { ok: true, account, session };
  }

  all(): Session[] {
    return [...this.sessions.values()].map((s) => s.session);
  }

  /** Stops the sessions none of these accounts use any more. */
  prune(accounts: BrokerAccount[]): void {
    const used = new Set<string>();
    for (const account of accounts) {
      const result = this.options.loginOf(account);
      if (!('problem' in result)) used.add(this.options.key(result.login));
    }
    for (const [id, { session }] of this.sessions) {
      if (used.has(id)) continue;
      this.sessions.delete(id);
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

/**
 * For what a plugin's halves (broker and data feed) share: wraps each half's stop so that the
 * shared thing is stopped after the last half has stopped.
 */
export function stopsWithLastHalf(halves: number, stopShared: () => Promise<void>): (stopHalf: () => Promise<void>) => () => Promise<void> {
  let running = halves;
  return (stopHalf) => async () => {
    await stopHalf();
    if (--running === 0) await stopShared();
  };
}

/** A feed's implementation, whose other public methods the server is not to see. */
export type DataFeedHalf = Required<Pick<DataFeedPlugin, 'start' | 'stop' | 'supports' | 'subscribe' | 'unsubscribe'>>;

/** The data feed half as the server calls it: the interface's methods of `feed`, with `stop` replaceable (see stopsWithLastHalf). */
export const dataFeedOf = (feed: DataFeedHalf, stop: () => Promise<void> = () => feed.stop()): DataFeedPlugin => ({
  start: () => feed.start(),
  stop,
  supports: (ticker) => feed.supports(ticker),
  subscribe: (tickers) => feed.subscribe(tickers),
  unsubscribe: (tickers) => feed.unsubscribe(tickers),
});
