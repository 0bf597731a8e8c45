import { MemoryEventQueue } from '../../../apps/server/src/infra/queue/memory-event-queue.js';
import { defineQueueContractTests } from './event-queue.contract.js';

defineQueueContractTests('memory', async (options) => {
  const queue = new MemoryEventQueue(options);
  return { queue, failed: [], dispose: () => queue.close() };
});
