/**
 * CPU time this process got, to tell a starved run of a script from a spinning one. isolated-vm's
 * `isolate.cpuTime` cannot: for a run its timeout stopped, it counts the wall-clock time, the time
 * the process was not running at all included. Reading the process's own takes a system call
 * (about 1.6 µs), so it is marked once per message from the server rather than per call: what one
 * run got since is at most what the whole process got, which errs towards "not starved".
 */
let markedMicros = 0;

export function markCpu(): void {
  const usage = process.cpuUsage();
  markedMicros = usage.user + usage.system;
}

/** CPU time of the process since the last mark, in ms. */
export function cpuMsSinceMark(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system - markedMicros) / 1000;
}
