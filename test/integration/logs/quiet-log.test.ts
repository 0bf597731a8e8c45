import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';

/** Jest itself on a fixture with one passing and one failing test, both logging through the test logger. */
function runFixture(env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(
    process.execPath,
    [
      '--experimental-vm-modules',
      '--disable-warning=ExperimentalWarning',
      'node_modules/jest/bin/jest.js',
      '--testMatch',
      '<rootDir>/test/fixtures/quiet-log.fixture.ts',
      '--globalSetup',
      '',
      '--globalTeardown',
      '',
    ],
    { encoding: 'utf8', env: { ...process.env, LOG_LEVEL: '', ...env }, timeout: 60_000 },
  );
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('server logs in tests', () => {
  it('are printed for a failing test only, under its name', () => {
    const { status, output } = runFixture();
    expect(status).toBe(1);
    expect(output).toMatch(/server log: "logs and fails" failed ──\n.*WARN {2}\[Probe\] the line that explains the failure/);
    expect(output).not.toContain('provoked on purpose by a passing test');
    // The log comes before Jest's report of the failure.
    expect(output.indexOf('the line that explains the failure')).toBeLessThan(output.indexOf('● logs and fails'));
  });

  it('are all printed as they come with LOG_LEVEL', () => {
    const { output } = runFixture({ LOG_LEVEL: 'warn' });
    expect(output).toContain('ERROR [Probe] an error provoked on purpose by a passing test');
    expect(output).toContain('WARN  [Probe] the line that explains the failure');
    expect(output).not.toContain('server log:');
  });
});
