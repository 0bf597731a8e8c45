import { describe, expect, it } from '@jest/globals';
import { MemoryEventQueue } from '../../../apps/server/src/infra/queue/memory-event-queue.js';
import { defineQueueContractTests } from './event-queue.contract.js';

defineQueueContractTests('memory', async (options) => {
  const queue = new MemoryEventQueue(options);
  return { queue, failed: [], dispose: () => queue.close() };
});

describe('memory queue under a burst', () => {
  it('waits for a backlog of 300,000 events (idle, in order per partition) without running out of stack', async () => {
    const queue = new MemoryEventQueue({ attempts: 1, backoffMs: 1 });
    const count = 300_000;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const lastSeen = new Map<string, number>();
    let handled = 0;
    let outOfOrder = 0;
    await queue.process(async (event) => {
      // The first event holds its lane: the rest of the burst waits behind it.
      if (event.eventId === 'a-0') await held;
      const [lane, n] = event.eventId.split('-');
      if ((lastSeen.get(lane) ?? -1) >= Number(n)) outOfOrder++;
      lastSeen.set(lane, Number(n));
      handled++;
    });
    for (let i = 0; i < count; i++) {
      const lane = i % 2 ? 'b' : 'a';
      await queue.enqueue(lane, { type: 'webhook', strategyId: lane, eventId: `${lane}-${i}` });
    }
    const idle = queue.idle();
    // One more after idle() was asked: idle waits for what came before it, not for this one.
    await queue.enqueue('c', { type: 'webhook', strategyId: 'c', eventId: 'c-0' });
    release();
    await idle;
    expect(handled).toBeGreaterThanOrEqual(count);
    expect(outOfOrder).toBe(0);
    await queue.idle();
    expect(handled).toBe(count + 1);
    await queue.close();
  }, 60_000);
});
