// Waiting in contract tests, shared by the contract and the server-side harness.

/** Waits for a condition the plugin reaches asynchronously, checking every `everyMs`. */
export async function until<T>(check: () => T | undefined | null | false, what: string, timeoutMs = 4000, everyMs = 10): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Gives the plugin time (to do something it must not do, or to get somewhere the test cannot see). */
export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
