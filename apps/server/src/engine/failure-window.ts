/**
 * The outcome of each strategy's latest calls, to stop a script that fails often — not only one
 * that fails every time: failing 4 calls in 5 never makes 5 failures in a row.
 */
export class FailureWindow {
  private readonly outcomes = new Map<string, boolean[]>();

  /** `size`: how many latest calls count; `limit`: failures among them that stop the strategy. */
  constructor(
    private readonly size: number,
    private readonly limit: number,
  ) {}

  /** Records a call; returns the failures among the latest `size` calls. */
  record(key: string, failed: boolean): number {
    let window = this.outcomes.get(key);
    if (!window) this.outcomes.set(key, (window = []));
    window.push(failed);
    if (window.length > this.size) window.shift();
    return window.filter(Boolean).length;
  }

  /** Whether that many failures stop the strategy. */
  exceeded(failures: number): boolean {
    return failures >= this.limit;
  }

  /** A clean slate: the strategy was stopped, switched off or changed. */
  forget(key: string): void {
    this.outcomes.delete(key);
  }

  /** Calls counted so far for the key (at most the window). */
  calls(key: string): number {
    return this.outcomes.get(key)?.length ?? 0;
  }
}
