import { describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { BullMqEventQueue, partitionOf } from '../../../apps/server/src/infra/queue/bullmq-event-queue.js';
import type { EngineEvent } from '../../../apps/server/src/infra/queue/event-queue.js';
import { eventually, REDIS_URL } from '../../support/app.js';
import { defineQueueContractTests } from './event-queue.contract.js';

const PARTITIONS = 8;
let run = 0;

/** Deletes every key under a prefix: each test gets queues no other test (or test run) touches. */
async function dropKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    const keys: string[] = [];
    const stream = redis.scanStream({ match: `${prefix}:*`, count: 500 });
    for await (const batch of stream) keys.push(...(batch as string[]));
    if (keys.length) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

defineQueueContractTests('bullmq', async (options) => {
  const prefix = `tradeloop-queue-test-${process.pid}-${++run}`;
  const queue = new BullMqEventQueue({ redisUrl: REDIS_URL, partitions: PARTITIONS, prefix, ...options });
  return {
    queue,
    failed: [],
    dispose: async () => {
      await queue.close();
      await dropKeys(prefix);
    },
  };
});

describe('BullMQ partitioning', () => {
  it('keeps the contract suite honest: its "slow" and "fast" strategies sit on different partitions', () => {
    expect(partitionOf('slow', PARTITIONS)).not.toBe(partitionOf('fast', PARTITIONS));
  });

  it('maps a strategy to the same partition every time (FNV-1a, stable across processes)', () => {
    // Hand-computed FNV-1a 32-bit: "a" → 0xe40c292c.
    expect(partitionOf('a', 1 << 30)).toBe(0xe40c292c % (1 << 30));
    expect(partitionOf('3f1c2a9e-0000-4000-8000-000000000001', PARTITIONS)).toBe(
      partitionOf('3f1c2a9e-0000-4000-8000-000000000001', PARTITIONS),
    );
  });

  it('spreads many strategies over every partition', () => {
    const counts = new Array(PARTITIONS).fill(0);
    for (let i = 0; i < 800; i++) counts[partitionOf(`strategy-${i}`, PARTITIONS)]++;
    expect(Math.min(...counts)).toBeGreaterThan(50);
  });
});

describe('BullMQ with two worker processes on one Redis', () => {
  it('never runs two events of one strategy at once, and keeps their order, whichever process takes them', async () => {
    const prefix = `tradeloop-queue-test-${process.pid}-two-${Date.now()}`;
    const first = new BullMqEventQueue({ redisUrl: REDIS_URL, partitions: PARTITIONS, prefix });
    const second = new BullMqEventQueue({ redisUrl: REDIS_URL, partitions: PARTITIONS, prefix });
    try {
      const seen: { id: string; by: string }[] = [];
      let running = 0;
      let overlap = false;
      const handler = (by: string) => async (event: EngineEvent) => {
        running++;
        if (running > 1) overlap = true;
        await new Promise((r) => setTimeout(r, 2 + Math.random() * 4));
        seen.push({ id: event.type === 'webhook' ? event.eventId : '', by });
        running--;
      };
      await first.process(handler('first'));
      await second.process(handler('second'));
      const sent = Array.from({ length: 40 }, (_, i) => `alpha-${i}`);
      for (const eventId of sent) await first.enqueue('alpha', { type: 'webhook', strategyId: 'alpha', eventId });
      await first.idle();
      expect(seen.map((s) => s.id)).toEqual(sent);
      expect(overlap).toBe(false);
    } finally {
      await first.close();
      await second.close();
      await dropKeys(prefix);
    }
  });
});

describe('BullMQ: a worker that dies holding a job', () => {
  it('is found by its Redis connections being gone, and its job runs elsewhere within seconds, long before its lock lapses', async () => {
    const prefix = `tradeloop-queue-test-${process.pid}-dead-${Date.now()}`;
    // A worker process on "another machine" (its name says so): its death is judged by its connections alone.
    const doomed = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { BullMqEventQueue } from ${JSON.stringify(resolve('apps/server/dist/infra/queue/bullmq-event-queue.js'))};
         const queue = new BullMqEventQueue({ redisUrl: ${JSON.stringify(REDIS_URL)}, partitions: 1, prefix: ${JSON.stringify(prefix)}, workerName: 'elsewhere:4242:abc', reclaimMs: 0, lockMs: 30000 });
         await queue.process(async () => { process.stdout.write('taken\\n'); await new Promise(() => undefined); });
         process.stdout.write('ready\\n');`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const said = (word: string) =>
      new Promise<void>((r) => {
        let text = '';
        doomed.stdout!.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          if (text.includes(word)) r();
        });
      });
    const notices: string[] = [];
    const survivor = new BullMqEventQueue({ redisUrl: REDIS_URL, partitions: 1, prefix, onNotice: (m) => notices.push(m) });
    try {
      await said('ready');
      const taken = said('taken');
      await survivor.enqueue('alpha', { type: 'webhook', strategyId: 'alpha', eventId: 'alpha-1' });
      await taken;
      const ran: number[] = [];
      await survivor.process(async () => {
        ran.push(Date.now());
      });
      const died = Date.now();
      doomed.kill('SIGKILL');
      await eventually(async () => ran.length === 1, 15_000, 'the job to run again');
      const standstill = ran[0] - died;
      // At least the grace for a worker on another machine (3 s). The dead worker's lock is 30 s here,
      // so BullMQ's own stalled checks cannot take the job back first however slow the machine is:
      // only the reclaimer can, as its notice says.
      expect(standstill).toBeGreaterThanOrEqual(2500);
      expect(standstill).toBeLessThan(10_000);
      expect(notices).toEqual([
        expect.stringMatching(/^took job webhook-alpha-1 of tradeloop-events-0 back from elsewhere:4242:abc, which died$/),
      ]);
    } finally {
      doomed.kill('SIGKILL');
      await survivor.close();
      await dropKeys(prefix);
    }
  }, 30_000);
});
