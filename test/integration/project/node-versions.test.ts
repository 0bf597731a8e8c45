import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import semver from 'semver';

interface Locked {
  engines?: { node?: string } | string[];
  optional?: boolean;
}

const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, Locked> };
/** The first release of each Node line the project supports, e.g. 20.19.0, 22.13.0, 24.11.0. */
const lowest = manifest.engines.node.split('||').map((range) => semver.minVersion(range.trim())!.version);

/**
 * `npm ci` warns (EBADENGINE) when a package in the tree wants a newer Node than the one
 * installing it. Every locked package must accept the lowest release of every supported line,
 * so the promise in package.json (and the README) holds and CI, which runs the lowest, is clean.
 */
describe('supported Node versions', () => {
  it('are the lines package.json names, starting at 20.19', () => {
    expect(lowest).toEqual(['20.19.0', '22.13.0', '24.11.0']);
  });

  it('this Node is one of them (CI runs the lowest line)', () => {
    expect(semver.satisfies(process.version, manifest.engines.node)).toBe(true);
  });

  it.each(lowest)('every locked package accepts Node %s', (version) => {
    const refusing = Object.entries(lock.packages)
      .filter(([path, p]) => path !== '' && typeof p.engines === 'object' && !Array.isArray(p.engines) && p.engines.node)
      .filter(([, p]) => !semver.satisfies(version, (p.engines as { node: string }).node))
      .map(([path, p]) => `${path.replace(/^.*node_modules\//, '')} wants node ${(p.engines as { node: string }).node}`);
    expect(refusing).toEqual([]);
  });
});
