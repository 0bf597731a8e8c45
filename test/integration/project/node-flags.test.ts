import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
const MAIN = 'apps/server/dist/main.js';

/** The `--` flags of the `node` command that runs the server in a shell command line. */
function nodeFlags(commandLine: string): string[] {
  const words = commandLine.split(/\s+/);
  const node = words.lastIndexOf('node', words.indexOf(MAIN));
  expect(node).toBeGreaterThanOrEqual(0);
  return words.slice(node + 1, words.indexOf(MAIN));
}

/**
 * The server runs with the same Node flags however it is started: `npm start` (`serve`), a worker
 * (`start:worker`) and the Docker image. The bench reads them from `serve` and so measures what a
 * user runs. `--no-node-snapshot` is isolated-vm's condition on Node 20; the young generation of
 * 64 MiB is a measured trade of memory after a burst for about a tenth of the CPU an alert
 * (docs/development.md).
 */
describe("the server's Node flags", () => {
  const serve = nodeFlags(scripts.serve);

  it('are what `npm run serve` gives it', () => {
    expect(serve).toEqual(['--no-node-snapshot', '--max-semi-space-size=64', '--enable-source-maps']);
  });

  it('are the same for a worker and in the Docker image', () => {
    expect(nodeFlags(scripts['start:worker'])).toEqual(serve);
    const cmd = /^CMD (\[.*\])$/m.exec(readFileSync('Dockerfile', 'utf8'));
    expect(cmd).not.toBeNull();
    expect(JSON.parse(cmd![1]) as string[]).toEqual(['node', ...serve, MAIN]);
  });

  it('are all taken by this Node (one it did not know would stop it at start)', () => {
    const run = spawnSync(process.execPath, [...serve, '-e', 'process.stdout.write("started")'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('started');
    expect(run.status).toBe(0);
  });
});
