import { describe, expect, it } from '@jest/globals';
import type { OrderAck, OrderRequest } from './orders.js';
import type { BrokerAccount, BrokerContext, PluginLogger } from './plugins.js';
import {
  AccountLinks,
  dataFeedOf,
  errorText,
  finishOrder,
  Placements,
  readNumberSettings,
  redactingLogger,
  SessionPool,
  settleOrder,
  stopsWithLastHalf,
  type TrackedOrder,
} from './plugin-runtime.js';

const account = (brokerAccountId: string, key: string): BrokerAccount => ({
  id: brokerAccountId,
  name: brokerAccountId,
  brokerAccountId,
  settings: { user: brokerAccountId.split('-')[0]! },
  secrets: { key },
});

function memoryLogger() {
  const lines: string[] = [];
  const logger: PluginLogger = {
    debug: (m) => void lines.push(`debug: ${m}`),
    info: (m) => void lines.push(`info: ${m}`),
    warn: (m) => void lines.push(`warn: ${m}`),
    error: (m) => void lines.push(`error: ${m}`),
  };
  return { lines, logger };
}

const order = (clientOrderId: string): OrderRequest => ({
  clientOrderId,
  brokerAccountId: 'a',
  ticker: 'NQ1!',
  side: 'buy',
  quantity: 1,
  type: 'market',
});

describe('plugin runtime', () => {
  it('bounds an error text and redacts every known secret from a log line', () => {
    expect(errorText(new Error('x'.repeat(400)))).toHaveLength(300);
    expect(errorText('plain', 3)).toBe('pla');
    const { lines, logger } = memoryLogger();
    redactingLogger(logger, () => ['hunter2', 'ab']).warn('password hunter2 and ab');
    expect(lines).toEqual(['warn: password *** and ab']);
  });

  it('reads number settings within bounds, keeping the default of a missing or wrong one with a warning', () => {
    const settings = { timeoutMs: 1000, retries: 3, name: 'x' };
    const warnings: string[] = [];
    readNumberSettings({ timeoutMs: 50, retries: 'many', name: 7 }, settings, { timeoutMs: [0, Infinity], retries: [0, 10] }, (m) =>
      warnings.push(m),
    );
    expect(settings).toEqual({ timeoutMs: 50, retries: 3, name: 'x' });
    expect(warnings).toEqual(['retries must be a number from 0 to 10, got "many": using 3']);
    readNumberSettings({ timeoutMs: -1, retries: null }, settings, { timeoutMs: [0, Infinity], retries: [0, 10] }, (m) => warnings.push(m));
    expect(warnings.at(-1)).toBe('timeoutMs must be a number ≥ 0, got -1: using 50');
    expect(settings.retries).toBe(3);
  });

  it('answers a repeated placement with the first one, and tells its ack once in', async () => {
    const placements = new Placements();
    let sent = 0;
    const send = async (o: OrderRequest): Promise<OrderAck> => ({ brokerOrderId: `b-${++sent}-${o.clientOrderId}`, status: 'working' });
    const first = placements.place(order('c1'), send);
    expect(placements.place(order('c1'), send)).toBe(first);
    expect(await first).toEqual({ brokerOrderId: 'b-1-c1', status: 'working' });
    expect(await placements.settled('c1')).toEqual({ brokerOrderId: 'b-1-c1', status: 'working' });
    expect(await placements.settled('never')).toBeUndefined();
    void placements.place(order('c2'), () => Promise.reject(new Error('lost')));
    expect(await placements.settled('c2')).toBeUndefined();
    expect(sent).toBe(1);
  });

  it('finishes a tracked order once: waiters woken, an update only after the ack', async () => {
    const updates: unknown[] = [];
    const ctx = { reportOrderUpdate: async (u: unknown) => void updates.push(u) } as Pick<BrokerContext, 'reportOrderUpdate'>;
    const tracked: TrackedOrder = { clientOrderId: 'c', state: 'working', acked: false, finalReported: false, waiters: [] };
    const waiting = settleOrder(tracked, 60_000);
    await finishOrder(ctx, tracked, 'b', 'cancelled', 'expired');
    await waiting;
    expect(tracked).toEqual(expect.objectContaining({ state: 'cancelled', reason: 'expired', finalReported: false }));
    expect(updates).toEqual([]);
    const acked: TrackedOrder = { clientOrderId: 'd', state: 'working', acked: true, finalReported: false, waiters: [] };
    await finishOrder(ctx, acked, 'b2', 'filled', 'ignored for a fill');
    await finishOrder(ctx, acked, 'b2', 'cancelled');
    expect(updates).toEqual([{ clientOrderId: 'd', brokerOrderId: 'b2', status: 'filled' }]);
    expect(acked.state).toBe('filled');
  });

  it('keeps one link per account in step with the accounts: opened, kept, replaced on a new login, stopped when gone', async () => {
    let accounts = [account('a', 'k1'), account('b', 'k2'), account('bad', '')];
    const listeners: (() => void)[] = [];
    const events: string[] = [];
    const { lines, logger } = memoryLogger();
    const links = new AccountLinks<{ key: string }, { login: { key: string }; start(): void; stop(): Promise<void> }>({
      ctx: {
        accounts: async () => accounts,
        onAccountsChanged: (listener) => {
          listeners.push(listener);
          return () => listeners.splice(listeners.indexOf(listener), 1);
        },
      },
      logger,
      name: 'Test',
      loginOf: (a) => (a.secrets.key ? { key: a.secrets.key } : `account ${a.brokerAccountId} has no key`),
      open: (a, login, previous) => {
        events.push(`open ${a.brokerAccountId} ${login.key}${previous ? ` after ${previous.login.key}` : ''}`);
        return { login, start: () => void events.push(`start ${login.key}`), stop: async () => void events.push(`stop ${login.key}`) };
      },
    });
    await links.start();
    expect(events).toEqual(['open a k1', 'start k1', 'open b k2', 'start k2']);
    expect(lines).toEqual(['warn: account bad has no key']);
    accounts = [account('a', 'k1'), account('b', 'k3')];
    listeners[0]!();
    expect(await links.linkFor('b')).toEqual(expect.objectContaining({ login: { key: 'k3' } }));
    expect(events.slice(4)).toEqual(['stop k2', 'open b k3 after k2', 'start k3']);
    accounts = [account('b', 'k3')];
    await links.sync();
    expect(events.slice(7)).toEqual(['stop k1']);
    expect(await links.linkFor('a')).toBe('no Test account "a" is configured in Tradeloop');
    await links.stop();
    expect(events.slice(8)).toEqual(['stop k3']);
    expect(listeners).toHaveLength(0);
    expect(links.size).toBe(0);
  });

  it('pools sessions by login key: shared, replaced when the credentials change, refused once stopped', async () => {
    const { lines, logger } = memoryLogger();
    const stopped: string[] = [];
    const pool = new SessionPool<{ user: string; key: string }, { id: string; stop(): Promise<void> }>({
      name: 'Test',
      logger,
      loginOf: (a) => (a.secrets.key ? { login: { user: String(a.settings.user), key: a.secrets.key } } : { problem: 'no key' }),
      key: (login) => login.user,
      fingerprint: (login) => login.key,
      open: (login) => ({ id: `${login.user}/${login.key}`, stop: async () => void stopped.push(`${login.user}/${login.key}`) }),
      label: (session) => session.id,
    });
    const one = pool.resolve(account('u1-a', 'secret-1'));
    const two = pool.resolve(account('u1-b', 'secret-1'));
    expect(one.ok && two.ok && one.session === two.session).toBe(true);
    expect(pool.resolve(account('u2-a', ''))).toEqual({ ok: false, problem: 'no key' });
    const renewed = pool.resolve(account('u1-a', 'secret-2'));
    expect(renewed.ok && renewed.session.id).toBe('u1/secret-2');
    expect(stopped).toEqual(['u1/secret-1']);
    expect(lines).toEqual(['info: credentials of u1/secret-1 changed: starting a new Test session']);
    expect([...pool.secrets()]).toEqual(['secret-1', 'secret-2']);
    pool.resolve(account('u3-a', 'secret-3'));
    pool.prune([account('u3-a', 'secret-3')]);
    expect(stopped).toEqual(['u1/secret-1', 'u1/secret-2']);
    await pool.stop();
    expect(stopped).toEqual(['u1/secret-1', 'u1/secret-2', 'u3/secret-3']);
    expect(pool.resolve(account('u3-a', 'secret-3'))).toEqual({ ok: false, problem: 'the Test plugin is stopping' });
  });

  it('stops what two halves share after the last of them, and shows a feed only through its interface', async () => {
    const events: string[] = [];
    const stopping = stopsWithLastHalf(2, async () => void events.push('shared'));
    const feed = {
      start: async () => void events.push('start'),
      stop: async () => void events.push('feed'),
      supports: (ticker: string) => ticker === 'NQ1!',
      subscribe: async (tickers: string[]) => void events.push(`sub ${tickers.join()}`),
      unsubscribe: async (tickers: string[]) => void events.push(`unsub ${tickers.join()}`),
      secret: () => 'not for the server',
    };
    const half = dataFeedOf(
      feed,
      stopping(() => feed.stop()),
    );
    expect(Object.keys(half).sort()).toEqual(['start', 'stop', 'subscribe', 'supports', 'unsubscribe']);
    expect(half.supports('NQ1!')).toBe(true);
    await half.subscribe(['NQ1!']);
    await half.stop!();
    expect(events).toEqual(['sub NQ1!', 'feed']);
    await stopping(async () => void events.push('broker'))();
    expect(events).toEqual(['sub NQ1!', 'feed', 'broker', 'shared']);
  });
});
