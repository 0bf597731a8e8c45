export * from './bullmq-event-queue.js';
export * from './event-queue.js';
export * from './memory-event-queue.js';
export * from './queue.constants.js';
