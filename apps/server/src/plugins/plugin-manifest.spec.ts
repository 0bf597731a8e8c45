import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parseManifest } from './plugin-manifest.js';

const base = { kind: 'broker', apiVersion: 1, entry: 'dist/index.js' };
const manifest = (accountSettings: unknown) => ({ tradeloop: { ...base, accountSettings } });

describe('plugin manifest: accountSettings', () => {
  it("reads every real broker's account fields", () => {
    for (const name of ['paper-broker', 'tradovate', 'projectx']) {
      const parsed = parseManifest(JSON.parse(readFileSync(`plugins/${name}/package.json`, 'utf8')));
      expect(parsed.accountSettings?.properties).toBeDefined();
    }
    const projectx = parseManifest(JSON.parse(readFileSync('plugins/projectx/package.json', 'utf8')));
    expect(
      Object.entries(projectx.accountSettings!.properties)
        .filter(([, f]) => f.writeOnly)
        .map(([n]) => n),
    ).toEqual(['apiKey']);
  });

  it('takes a small JSON-Schema subset: types, choices, bounds, secrets, showWhen', () => {
    const parsed = parseManifest(
      manifest({
        brokerAccountId: { title: 'Account' },
        properties: {
          environment: { type: 'string', enum: ['paper', 'live'], default: 'paper' },
          key: { type: 'string', writeOnly: true, maxLength: 100 },
          size: { type: 'integer', minimum: 1, maximum: 10, showWhen: { environment: 'live' } },
        },
        required: ['key'],
        notes: ['One note.'],
      }),
    );
    expect(parsed.accountSettings?.required).toEqual(['key']);
  });

  it('names what is wrong: an unknown type, a stray keyword, a required name that is no field, a bad field name', () => {
    expect(() => parseManifest(manifest({ properties: { a: { type: 'date' } } }))).toThrow(
      /tradeloop\.accountSettings\.properties\.a\.type/,
    );
    expect(() => parseManifest(manifest({ properties: { a: { type: 'string', secret: true } } }))).toThrow(/secret/);
    expect(() => parseManifest(manifest({ properties: { a: { type: 'string' } }, required: ['b'] }))).toThrow(
      /every required name must be a field in properties/,
    );
    expect(() => parseManifest(manifest({ properties: { 'not a name': { type: 'string' } } }))).toThrow(
      /a field name is letters, digits and _/,
    );
  });
});
