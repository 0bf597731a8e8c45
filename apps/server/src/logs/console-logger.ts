import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { inspect } from 'node:util';
import { logText } from './log-text.js';

/**
 * Nest's console logger, with every message and stack cut to about 2 KB and its control
 * characters escaped before Nest adds its own colours: text from outside (an alert id, a broker's
 * error) can neither forge a line nor send escape sequences to the operator's terminal.
 */
export class SafeConsoleLogger extends ConsoleLogger {
  protected override stringifyMessage(message: unknown, logLevel: LogLevel): string {
    const resolved = this.resolveMessage(message);
    const text = typeof resolved === 'string' ? resolved : inspect(resolved, { depth: 4, breakLength: Infinity, colors: false });
    return super.stringifyMessage(logText(text), logLevel);
  }

  protected override printStackTrace(stack: string): void {
    super.printStackTrace(stack && logText(stack));
  }
}

/** The console logger for these levels (`false`: none). */
export const consoleLogger = (levels: LogLevel[] | false) => (levels === false ? false : new SafeConsoleLogger({ logLevels: levels }));
