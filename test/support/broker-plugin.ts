import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes a broker plugin whose entry is `source` (an ES module) into `pluginsDir/name`, as the server loads plugins. */
export function installBrokerPlugin(pluginsDir: string, name: string, source: string): void {
  mkdirSync(join(pluginsDir, name), { recursive: true });
  writeFileSync(
    join(pluginsDir, name, 'package.json'),
    JSON.stringify({ name, type: 'module', tradeloop: { kind: 'broker', apiVersion: 1, entry: 'index.js' } }),
  );
  writeFileSync(join(pluginsDir, name, 'index.js'), source);
}
