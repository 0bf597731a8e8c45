import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import type { Circus } from '@jest/types';
import { TestEnvironment } from 'jest-environment-node';

/** Lines kept per test: a flood (a script failing 10,000 times on purpose) keeps its end. */
const MAX_LINES = 400;

/**
 * Node's test environment, plus a buffer for what the servers under test log. Tests provoke
 * errors on purpose by the hundred, so their log lines stay out of the output unless the test
 * fails: then they are printed under its name, right before Jest's report of the failure.
 * `LOG_LEVEL` set: the lines are printed as they come instead (see test/support/test-log.ts).
 */
export default class QuietEnvironment extends TestEnvironment {
  private lines: string[] = [];
  private dropped = 0;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    this.global.__serverLog = (line: string) => {
      this.lines.push(line);
      if (this.lines.length > MAX_LINES) {
        this.lines.shift();
        this.dropped++;
      }
    };
  }

  handleTestEvent(event: Circus.Event): void {
    if (event.name === 'test_done') {
      if (event.test.errors.length > 0) this.print(`"${fullName(event.test)}" failed`);
      this.clear();
    } else if (event.name === 'hook_failure') {
      this.print(
        `${event.hook.type} hook failed${event.hook.parent.name === 'ROOT_DESCRIBE_BLOCK' ? '' : ` in "${event.hook.parent.name}"`}`,
      );
      this.clear();
    }
  }

  private print(what: string): void {
    if (this.lines.length === 0) return;
    const header = `── server log: ${what}${this.dropped ? ` (last ${this.lines.length} lines; ${this.dropped} earlier ones dropped)` : ''} ──`;
    process.stderr.write(`\n${header}\n${this.lines.join('\n')}\n${'─'.repeat(Math.min(header.length, 100))}\n`);
  }

  private clear(): void {
    this.lines = [];
    this.dropped = 0;
  }
}

function fullName(test: Circus.TestEntry): string {
  const names = [test.name];
  for (let block: Circus.DescribeBlock | undefined = test.parent; block && block.name !== 'ROOT_DESCRIBE_BLOCK'; block = block.parent) {
    names.unshift(block.name);
  }
  return names.join(' › ');
}
