/**
 * Counts the event loop's turns (one `setImmediate` each) until stopped, so a test can say in which
 * turn something happened: work done in pieces a turn apart lands in different turns.
 */
export function turnCounter(): { readonly turn: number; stop(): void } {
  let turn = 0;
  let running = true;
  const spin = () => {
    turn++;
    if (running) setImmediate(spin);
  };
  setImmediate(spin);
  return {
    get turn() {
      return turn;
    },
    stop: () => void (running = false),
  };
}
