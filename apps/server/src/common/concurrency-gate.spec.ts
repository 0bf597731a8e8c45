import { describe, expect, it } from '@jest/globals';
import { ConcurrencyGate, GateFull } from './concurrency-gate.js';

const later = () => {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  return { done, release };
};

describe('ConcurrencyGate', () => {
  it('runs at most `concurrent` at once, queues `waiting` in order, refuses the rest at once', async () => {
    const gate = new ConcurrencyGate(2, 2);
    const jobs = Array.from({ length: 6 }, later);
    const started: number[] = [];
    const runs = jobs.map((job, i) =>
      gate
        .run(async () => {
          started.push(i);
          await job.done;
          return i;
        })
        .catch((error: unknown) => error),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect([gate.busy, gate.queued]).toEqual([2, 2]);
    expect(await runs[4]).toBeInstanceOf(GateFull);
    expect(await runs[5]).toBeInstanceOf(GateFull);
    jobs[0].release();
    expect(await runs[0]).toBe(0);
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2]);
    jobs.forEach((j) => j.release());
    expect(await Promise.all(runs.slice(1, 4))).toEqual([1, 2, 3]);
    expect([gate.busy, gate.queued]).toEqual([0, 0]);
  });

  it('frees its slot when a job throws', async () => {
    const gate = new ConcurrencyGate(1, 0);
    await expect(gate.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run(async () => 'next')).toBe('next');
  });
});
