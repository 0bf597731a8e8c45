/**
 * Resolves in the event loop's next turn, after the I/O waiting now (requests, a log sync's answer)
 * has been handled: what a long job awaits between its pieces so that nothing waits behind all of it.
 */
export const nextTurn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));
