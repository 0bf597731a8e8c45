import type { LoggerService } from '@nestjs/common';

type Level = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Nest's own start-up chatter (modules, routes): the same for every server, no help in a failure report. */
const FRAMEWORK = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'WebSocketsController', 'NestApplication']);

/** `LOG_LEVEL` asks to watch the servers' logs live, at that level and above. */
const live = process.env.LOG_LEVEL && process.env.LOG_LEVEL in RANK ? (process.env.LOG_LEVEL as Level) : null;

/** The server log level tests run at: the live one when asked for, else everything a failure report may need. */
export const TEST_LOG_LEVEL: Level = live ?? 'info';

/**
 * Where a server under test logs: into the test's buffer, printed only if the test fails (the
 * quiet environment, test/support/quiet-environment.ts), or straight to stderr with `LOG_LEVEL`.
 */
export function serverLog(line: string): void {
  const buffer = (globalThis as { __serverLog?: (line: string) => void }).__serverLog;
  if (live || !buffer) process.stderr.write(`${line}\n`);
  else buffer(line);
}

/** Nest's logger for test servers: each line to serverLog, with its level and where it came from. */
export class TestLogger implements LoggerService {
  constructor(private readonly level: Level = TEST_LOG_LEVEL) {}

  log(message: unknown, context?: string): void {
    this.write('info', message, context);
  }
  error(message: unknown, ...rest: unknown[]): void {
    // Nest passes (message, stack?, context?): the context is the last string.
    const context = typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    const stack = rest.length > 1 && typeof rest[0] === 'string' ? `\n${rest[0]}` : '';
    this.write('error', `${String(message)}${stack}`, context);
  }
  warn(message: unknown, context?: string): void {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  fatal(message: unknown, context?: string): void {
    this.write('error', message, context);
  }

  private write(level: Level, message: unknown, context?: string): void {
    if (RANK[level] < RANK[this.level] || (level === 'info' && context && FRAMEWORK.has(context))) return;
    const text =
      message instanceof Error ? (message.stack ?? message.message) : typeof message === 'string' ? message : JSON.stringify(message);
    serverLog(`${new Date().toISOString().slice(11, 23)} ${level.toUpperCase().padEnd(5)} ${context ? `[${context}] ` : ''}${text}`);
  }
}
