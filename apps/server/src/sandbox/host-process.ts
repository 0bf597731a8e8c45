import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setPriority } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostMessage } from './protocol.js';

/** The host process went away with this request in the queue behind another: try again. */
export class SandboxUnavailableError extends Error {}

/** Signals a process gets from its own failure (V8's fatal errors abort), as opposed to being killed. */
const SELF_INFLICTED = new Set<string>(['SIGABRT', 'SIGSEGV', 'SIGBUS', 'SIGILL', 'SIGTRAP', 'SIGFPE']);

/** Whether a host that exited so brought itself down (an abort, a crash, a non-zero exit) rather than being killed from outside. */
export const stoppedItself = (code: number | null, signal: NodeJS.Signals | null): boolean =>
  (signal !== null && SELF_INFLICTED.has(signal)) || (signal === null && code !== 0);

/**
 * The built host entry. Under Jest this module runs from `src/`, the host always from `dist/`
 * (a child process runs JavaScript): `npm test` builds first.
 */
export function defaultHostEntry(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const dir = import.meta.url.endsWith('.ts') ? here.replace(/([\\/])src([\\/]sandbox)$/, '$1dist$2') : here;
  return join(dir, 'host', 'main.js');
}

export interface HostProcessOptions {
  entry: string;
  /** What the log calls the process. */
  label: string;
  /** Niceness of the process. */
  nice?: number;
  onNotice?: (level: 'warn' | 'error', message: string) => void;
  /** Told once the process is forked, before it is ready. */
  onFork?: (child: ChildProcess) => void;
}

/**
 * Forks a sandbox host and waits for it to say it is ready. Its stderr (V8's dying words) goes to
 * the notices; its niceness is set where the system allows.
 */
export async function startHostProcess(options: HostProcessOptions): Promise<ChildProcess> {
  if (!existsSync(options.entry)) throw new Error(`sandbox host ${options.entry} not found: build the server first (npm run build:server)`);
  const child = fork(options.entry, [], {
    // isolated-vm needs --no-node-snapshot on Node 20; nothing of the server's own flags is passed on.
    execArgv: ['--no-node-snapshot'],
    // V8's dying words (an out-of-memory report) go to the server log, not to whoever owns our stderr.
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  options.onFork?.(child);
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    const line = text.trim();
    if (line) options.onNotice?.('warn', `${options.label}: ${line.slice(0, 2000)}`);
  });
  await new Promise<void>((resolve, reject) => {
    const onMessage = (message: HostMessage) => {
      if ('notice' in message && message.notice === 'ready') {
        cleanup();
        resolve();
      }
    };
    const onExit = (code: number | null, signal: string | null) => {
      cleanup();
      reject(new SandboxUnavailableError(`sandbox host exited while starting (${signal ?? code})`));
    };
    const cleanup = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
  return child;
}

/** Lowers the process's priority; where it is not allowed (some containers) it runs at the server's. */
export function setNiceness(child: ChildProcess, nice: number | undefined): void {
  if (!nice) return;
  try {
    setPriority(child.pid!, nice);
  } catch {
    /* not allowed here (some containers): it runs at the server's priority */
  }
}
