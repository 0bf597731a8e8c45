/** The injection token of the EventQueue (in-process or BullMQ). */
export const EVENT_QUEUE = Symbol('EVENT_QUEUE');
