import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { EngineService } from '../../../apps/server/src/engine/engine.service.js';
import type { EngineEvent, EventQueue } from '../../../apps/server/src/infra/queue/event-queue.js';
import { EVENT_QUEUE } from '../../../apps/server/src/infra/queue/queue.module.js';
import { MarketService } from '../../../apps/server/src/market/market.service.js';
import { WebhookEventsReader } from '../../../apps/server/src/webhooks/webhook-events.reader.js';
import { eventually, http, REDIS_URL, startServer, type TestServer } from '../../support/app.js';
import { hook } from '../../support/scripts.js';

type Webhook = Extract<EngineEvent, { type: 'webhook' }>;

async function setUp(redisUrl?: string) {
  const server = await startServer({ redisUrl, overrides: { plugins: { disabled: ['sim-feed'] } } });
  server.app.get(MarketService).publish({ ticker: 'NQ1!', bid: 25000, ask: 25000.25, time: Date.now() });
  const strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'handoff' })).body as { id: string; webhookToken: string };
  const queued: Webhook[] = [];
  const queue = server.app.get<EventQueue>(EVENT_QUEUE);
  const enqueue = queue.enqueue.bind(queue);
  /** When set, the next alert handed over at its commit waits for this instead of its own sync. */
  const hold: { next?: Promise<boolean> } = {};
  jest.spyOn(queue, 'enqueue').mockImplementation((key, event, options) => {
    if (event.type === 'webhook') {
      queued.push(event);
      if (hold.next && event.durable) {
        event = { ...event, durable: hold.next };
        hold.next = undefined;
      }
    }
    return enqueue(key, event, options);
  });
  const reads = jest.spyOn(server.app.get(WebhookEventsReader), 'byId');
  const done = (eventId: string) =>
    eventually(async () => (await http(server.url, 'GET', `/api/events/${eventId}`)).body.status === 'done', 10_000, 'the alert done');
  return { server, strategy, queued, reads, done, hold, queue };
}

/**
 * With the in-process queue the intake hands the engine the alert it just committed, so the
 * engine does not read the row back; with Redis (a job may be redelivered) it always reads it.
 */
describe('an accepted alert handed to the engine (in-process queue)', () => {
  let t: Awaited<ReturnType<typeof setUp>>;
  beforeAll(async () => {
    t = await setUp();
  });
  afterAll(() => t.server.close());

  it('is traded without reading its row back, and a second run of the same event reads it (and does nothing)', async () => {
    const response = await hook(t.server, t.strategy.webhookToken, { ticker: 'NQ1!', action: 'buy', quantity: 1, id: 'handoff-1' });
    expect(response.status).toBe(202);
    const eventId = response.body.eventId as string;
    await t.done(eventId);
    const event = t.queued.find((e) => e.eventId === eventId)!;
    expect(t.reads.mock.calls.filter(([id]) => id === eventId)).toHaveLength(0);
    // The engine took the handoff: a retry of the same event (the queue's, after a failure) reads the row.
    expect(event.accepted).toBeUndefined();
    await t.server.app.get(EngineService).handle(event);
    expect(t.reads.mock.calls.filter(([id]) => id === eventId)).toHaveLength(1);
    const orders = (await http(t.server.url, 'GET', `/api/orders?strategyId=${t.strategy.id}`)).body.items as unknown[];
    expect(orders).toHaveLength(1);
    const row = (await http(t.server.url, 'GET', `/api/events/${eventId}`)).body;
    expect(row).toMatchObject({ status: 'done' });
    // Handed over as its transaction committed, with the promise of its sync.
    await expect(event.durable).resolves.toBe(true);
  });

  const status = async (id: string) => (await http(t.server.url, 'GET', `/api/events/${id}`)).body.status as string;
  const orders = async () =>
    (await http(t.server.url, 'GET', `/api/orders?strategyId=${t.strategy.id}&limit=100`)).body.items as {
      eventId: string;
      side: string;
      status: string;
    }[];
  const working = async () => (await orders()).filter((o) => o.status === 'working').length;
  const restingBuy = async (id: string) => {
    const response = await hook(t.server, t.strategy.webhookToken, {
      ticker: 'NQ1!',
      action: 'buy',
      quantity: 1,
      orderType: 'limit',
      limitPrice: 20000,
      id,
    });
    await t.done(response.body.eventId as string);
  };

  it('sends the order of a closing alert that finds nothing to cancel without waiting for the alert sync; its end still waits', async () => {
    const entry = await hook(t.server, t.strategy.webhookToken, { ticker: 'NQ1!', action: 'buy', quantity: 1, id: 'close-entry' });
    await t.done(entry.body.eventId as string);
    expect(await working()).toBe(0);
    let synced!: (durable: boolean) => void;
    t.hold.next = new Promise<boolean>((resolve) => (synced = resolve));
    // An exit cancels the strategy's working orders first: here there are none.
    const exit = await hook(t.server, t.strategy.webhookToken, { ticker: 'NQ1!', action: 'exit', id: 'close-exit' });
    expect(exit.status).toBe(202);
    const eventId = exit.body.eventId as string;
    const ordersOf = async () => (await orders()).filter((o) => o.eventId === eventId);
    // The alert's own sync is held, yet its order went on (after a sync of its own) and filled.
    await eventually(async () => (await ordersOf()).some((o) => o.side === 'sell' && o.status === 'filled'), 10_000, 'the exit filled');
    expect(await status(eventId)).toBe('accepted');
    synced(true);
    await t.done(eventId);
  });

  it('cancels at the broker only once the alert is durable (an order waits for a sync of its own)', async () => {
    await restingBuy('rest-1');
    const before = await working();
    expect(before).toBeGreaterThanOrEqual(1);
    let synced!: (durable: boolean) => void;
    t.hold.next = new Promise<boolean>((resolve) => (synced = resolve));
    const cancel = await hook(t.server, t.strategy.webhookToken, { ticker: 'NQ1!', action: 'cancel', id: 'cancel-1' });
    expect(cancel.status).toBe(202);
    // The engine has the alert, and waits: nothing is cancelled, the event not ended.
    await new Promise((r) => setTimeout(r, 300));
    expect(await working()).toBe(before);
    expect(await status(cancel.body.eventId as string)).toBe('accepted');
    synced(true);
    await t.done(cancel.body.eventId as string);
    expect(await working()).toBe(0);
  });

  it('leaves an alert whose sync failed as stored, for the replay at start: no cancel, no end', async () => {
    await restingBuy('rest-2');
    expect(await working()).toBe(1);
    t.hold.next = Promise.resolve(false);
    const cancel = await hook(t.server, t.strategy.webhookToken, { ticker: 'NQ1!', action: 'cancel', id: 'cancel-2' });
    expect(cancel.status).toBe(202);
    await t.queue.idle();
    expect(await working()).toBe(1);
    expect(await status(cancel.body.eventId as string)).toBe('accepted');
  });
});

describe('an accepted alert with Redis (BullMQ)', () => {
  let t: Awaited<ReturnType<typeof setUp>>;
  beforeAll(async () => {
    t = await setUp(REDIS_URL);
  });
  afterAll(() => t.server.close());

  it('travels without the alert, and the engine reads the row', async () => {
    const response = await hook(t.server, t.strategy.webhookToken, { ticker: 'NQ1!', action: 'buy', quantity: 1, id: 'handoff-2' });
    expect(response.status).toBe(202);
    const eventId = response.body.eventId as string;
    await t.done(eventId);
    expect(t.queued.find((e) => e.eventId === eventId)).not.toHaveProperty('accepted');
    // Queued once its log is synced: nothing to wait for.
    expect(t.queued.find((e) => e.eventId === eventId)).not.toHaveProperty('durable');
    expect(t.reads.mock.calls.filter(([id]) => id === eventId).length).toBeGreaterThanOrEqual(1);
  });
});
