import { afterEach, describe, expect, it } from '@jest/globals';
import type { Quote } from '@tradeloop/contracts';
import type { EngineEvent, EventQueue } from '../../../apps/server/src/infra/queue/event-queue.js';

export interface QueueUnderTest {
  queue: EventQueue;
  /** Events that failed every attempt, as the driver reported them. */
  failed: { event: EngineEvent; error: unknown }[];
  dispose(): Promise<void>;
}

/** Options every driver is built with here: quick retries so the retry tests stay short. */
export interface QueueFactoryOptions {
  attempts: number;
  backoffMs: number;
  onFailed: (event: EngineEvent, error: unknown) => void;
}

const webhook = (strategyId: string, n: number): EngineEvent => ({ type: 'webhook', strategyId, eventId: `${strategyId}-${n}` });
const tick = (strategyId: string, bid: number): EngineEvent => ({
  type: 'tick',
  strategyId,
  eventId: `${strategyId}-tick-${bid}`,
  quote: { ticker: 'NQ1!', bid, ask: bid + 0.25, time: 0 } as Quote,
});
const label = (event: EngineEvent): string => {
  switch (event.type) {
    case 'webhook':
      return event.eventId;
    case 'tick':
      return `tick ${event.quote.bid}`;
    case 'fill':
      return `fill ${event.fillId}`;
    case 'timer':
      return `timer ${event.time}`;
    case 'command':
      return `command ${event.command.op}`;
  }
};

/** A gate the handler waits on, so a test holds a lane busy for as long as it needs. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

/**
 * The behaviour every event-queue driver must show: the engine relies on it, so the in-process
 * queue and the BullMQ queue run this same suite and cannot drift apart.
 */
export function defineQueueContractTests(driver: string, create: (options: QueueFactoryOptions) => Promise<QueueUnderTest>) {
  describe(`event queue contract: ${driver}`, () => {
    let current: QueueUnderTest | undefined;
    const make = async (options: Partial<Pick<QueueFactoryOptions, 'attempts' | 'backoffMs'>> = {}) => {
      const failed: QueueUnderTest['failed'] = [];
      current = await create({
        attempts: options.attempts ?? 3,
        backoffMs: options.backoffMs ?? 10,
        onFailed: (event, error) => failed.push({ event, error }),
      });
      current.failed = failed;
      return current;
    };
    afterEach(async () => {
      await current?.dispose();
      current = undefined;
    });

    it(`reports its driver name`, async () => {
      const { queue } = await make();
      expect(queue.driver).toBe(driver);
    });

    it('handles one partition strictly in enqueue order, one event at a time', async () => {
      const { queue } = await make();
      const seen: string[] = [];
      let running = 0;
      let overlap = false;
      await queue.process(async (event) => {
        running++;
        if (running > 1) overlap = true;
        // Vary the handler's time so a queue that does not wait for the previous event shows it.
        await new Promise((r) => setTimeout(r, Math.random() * 3));
        seen.push(label(event));
        running--;
      });
      const sent = Array.from({ length: 40 }, (_, i) => webhook('alpha', i));
      for (const event of sent) await queue.enqueue('alpha', event);
      await queue.idle();
      expect(seen).toEqual(sent.map(label));
      expect(overlap).toBe(false);
    });

    it('runs different partitions in parallel: a busy strategy does not hold up another', async () => {
      const { queue } = await make();
      const slow = gate();
      const seen: string[] = [];
      await queue.process(async (event) => {
        if (event.strategyId === 'slow') await slow.opened;
        seen.push(label(event));
      });
      await queue.enqueue('slow', webhook('slow', 1));
      // Strategy ids that land on different BullMQ partitions (checked in the BullMQ test file).
      await queue.enqueue('fast', webhook('fast', 1));
      await queue.enqueue('fast', webhook('fast', 2));
      const deadline = Date.now() + 10_000;
      while (seen.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(seen).toEqual(['fast-1', 'fast-2']);
      slow.open();
      await queue.idle();
      expect(seen).toEqual(['fast-1', 'fast-2', 'slow-1']);
    });

    it('holds events enqueued before process() until a handler arrives', async () => {
      const { queue } = await make();
      await queue.enqueue('alpha', webhook('alpha', 1));
      await queue.enqueue('alpha', webhook('alpha', 2));
      const seen: string[] = [];
      await queue.process(async (event) => {
        seen.push(label(event));
      });
      await queue.idle();
      expect(seen).toEqual(['alpha-1', 'alpha-2']);
    });

    it('retries a failing event in place: the next event of its strategy never overtakes it', async () => {
      const { queue } = await make({ attempts: 3 });
      const seen: string[] = [];
      let failures = 0;
      await queue.process(async (event) => {
        if (label(event) === 'alpha-1' && failures < 2) {
          failures++;
          seen.push('alpha-1 failed');
          throw new Error('broker hiccup');
        }
        seen.push(label(event));
      });
      await queue.enqueue('alpha', webhook('alpha', 1));
      await queue.enqueue('alpha', webhook('alpha', 2));
      await queue.idle();
      expect(seen).toEqual(['alpha-1 failed', 'alpha-1 failed', 'alpha-1', 'alpha-2']);
      expect(current!.failed).toEqual([]);
    });

    it('reports an event that fails every attempt once, then goes on with the next', async () => {
      const { queue } = await make({ attempts: 2 });
      const seen: string[] = [];
      await queue.process(async (event) => {
        if (label(event) === 'alpha-1') {
          seen.push('alpha-1 failed');
          throw new Error('always broken');
        }
        seen.push(label(event));
      });
      await queue.enqueue('alpha', webhook('alpha', 1));
      await queue.enqueue('alpha', webhook('alpha', 2));
      await queue.idle();
      expect(seen).toEqual(['alpha-1 failed', 'alpha-1 failed', 'alpha-2']);
      expect(current!.failed).toHaveLength(1);
      expect(current!.failed[0].event).toEqual(webhook('alpha', 1));
      expect((current!.failed[0].error as Error).message).toBe('always broken');
    });

    it('conflates ticks that wait behind a busy handler to the newest, and never conflates webhooks', async () => {
      const { queue } = await make();
      const busy = gate();
      const seen: string[] = [];
      let started!: () => void;
      const firstStarted = new Promise<void>((r) => (started = r));
      await queue.process(async (event) => {
        if (label(event) === 'alpha-0') {
          started();
          await busy.opened;
        }
        seen.push(label(event));
      });
      await queue.enqueue('alpha', webhook('alpha', 0));
      await firstStarted;
      await queue.enqueue('alpha', tick('alpha', 100), { conflateKey: 'alpha:NQ1!' });
      await queue.enqueue('alpha', webhook('alpha', 1));
      await queue.enqueue('alpha', tick('alpha', 101), { conflateKey: 'alpha:NQ1!' });
      await queue.enqueue('alpha', tick('alpha', 102), { conflateKey: 'alpha:NQ1!' });
      await queue.enqueue('alpha', webhook('alpha', 2));
      busy.open();
      await queue.idle();
      // The waiting tick took the newest quote in its place in line; both webhooks ran.
      expect(seen).toEqual(['alpha-0', 'tick 102', 'alpha-1', 'alpha-2']);
    });

    it('queues a new tick once the previous one for the same key has started', async () => {
      const { queue } = await make();
      const seen: string[] = [];
      await queue.process(async (event) => {
        seen.push(label(event));
      });
      await queue.enqueue('alpha', tick('alpha', 100), { conflateKey: 'alpha:NQ1!' });
      await queue.idle();
      await queue.enqueue('alpha', tick('alpha', 101), { conflateKey: 'alpha:NQ1!' });
      await queue.idle();
      expect(seen).toEqual(['tick 100', 'tick 101']);
    });

    it('lets close() finish the event in hand and refuses nothing it already took', async () => {
      const { queue } = await make();
      const busy = gate();
      const seen: string[] = [];
      let started!: () => void;
      const inHand = new Promise<void>((r) => (started = r));
      await queue.process(async (event) => {
        started();
        await busy.opened;
        seen.push(label(event));
      });
      await queue.enqueue('alpha', webhook('alpha', 1));
      await inHand;
      const closing = queue.close();
      busy.open();
      await closing;
      expect(seen).toEqual(['alpha-1']);
    });

    it('says it is accepting while open, and not once closed', async () => {
      const { queue } = await make();
      await queue.process(async () => undefined);
      const deadline = Date.now() + 5000;
      while (!queue.accepting() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(queue.accepting()).toBe(true);
      await queue.close();
      expect(queue.accepting()).toBe(false);
    });

    it('delivers every kind of event intact, in order: webhook, tick, fill, timer', async () => {
      const { queue } = await make();
      const seen: EngineEvent[] = [];
      await queue.process(async (event) => {
        seen.push(event);
      });
      const sent: EngineEvent[] = [
        webhook('alpha', 1),
        tick('alpha', 25000.25),
        { type: 'fill', strategyId: 'alpha', eventId: 'alpha-fill-1', fillId: 'f-1' },
        { type: 'timer', strategyId: 'alpha', eventId: 'alpha-timer-1', time: 1_764_200_000_000 },
        {
          type: 'command',
          strategyId: 'alpha',
          eventId: 'alpha-command-1',
          command: { op: 'flatten', args: [{ ticker: 'NQ1!' }, 'by hand'] },
        },
      ];
      for (const event of sent) await queue.enqueue('alpha', event);
      await queue.idle();
      expect(seen).toEqual(sent);
      expect(seen.map(label)).toEqual(['alpha-1', 'tick 25000.25', 'fill f-1', 'timer 1764200000000', 'command flatten']);
    });

    it('refuses a second handler', async () => {
      const { queue } = await make();
      await queue.process(async () => undefined);
      await expect(queue.process(async () => undefined)).rejects.toThrow(/already has a handler/);
    });
  });
}
