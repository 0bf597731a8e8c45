import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { loadSecretKey, parseSecretKey, SecretBox } from './secret-box.js';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips a secret and never stores its text', () => {
    const sealed = box.seal('hunter2-broker-password');
    expect(sealed).not.toContain('hunter2');
    expect(sealed).toMatch(/^v1:[0-9a-f]{8}:/);
    expect(box.open(sealed)).toBe('hunter2-broker-password');
  });

  it('uses a fresh IV each time', () => {
    expect(box.seal('same')).not.toBe(box.seal('same'));
  });

  it('detects tampering', () => {
    const parts = box.seal('secret').split(':');
    const body = Buffer.from(parts[4], 'base64');
    body[0] ^= 1;
    parts[4] = body.toString('base64');
    expect(() => box.open(parts.join(':'))).toThrow();
  });

  it('names a key mismatch instead of returning garbage', () => {
    const other = new SecretBox(randomBytes(32));
    expect(() => other.open(box.seal('secret'))).toThrow(/another key/);
  });

  it('seals JSON maps', () => {
    expect(box.openJson(box.sealJson({ password: 'p', apiKey: 'k' }))).toEqual({ password: 'p', apiKey: 'k' });
    expect(box.openJson(null)).toEqual({});
  });
});

describe('secret keys', () => {
  it('accepts 32 bytes as base64 or hex, and refuses anything else with the fix', () => {
    const key = randomBytes(32);
    expect(parseSecretKey(key.toString('base64'), 'K')).toEqual(key);
    expect(parseSecretKey(key.toString('hex'), 'K')).toEqual(key);
    expect(() => parseSecretKey('password123', 'TRADELOOP_SECRET_KEY')).toThrow(
      /TRADELOOP_SECRET_KEY must be 32 random bytes.*openssl rand/,
    );
    expect(() => parseSecretKey(randomBytes(16).toString('base64'), 'K')).toThrow(/32 random bytes/);
  });

  it('creates a key file readable by its owner only on first start, and reads it back after', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tradeloop-key-'));
    try {
      const file = join(dir, 'secret.key');
      const first = loadSecretKey('', file);
      expect(first.created).toBe(true);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const again = loadSecretKey('', file);
      expect(again.created).toBe(false);
      expect(again.key).toEqual(first.key);
      expect(readFileSync(file, 'utf8').trim()).toBe(first.key.toString('base64'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives processes starting together on one data folder one key, never a half-written file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tradeloop-key-race-'));
    try {
      const file = join(dir, 'secret.key');
      const module = resolve('apps/server/dist/infra/secrets/secret-box.js');
      const script = `const { loadSecretKey } = await import(${JSON.stringify(module)}); const r = loadSecretKey('', ${JSON.stringify(file)}); console.log(r.key.toString('hex') + ' ' + r.created);`;
      const runs = await Promise.all(
        Array.from({ length: 8 }, () => promisify(execFile)(process.execPath, ['--input-type=module', '-e', script])),
      );
      const answers = runs.map((r) => r.stdout.trim().split(' '));
      expect(new Set(answers.map(([key]) => key)).size).toBe(1);
      expect(answers.filter(([, created]) => created === 'true')).toHaveLength(1);
      expect(readFileSync(file, 'utf8').trim()).toBe(Buffer.from(answers[0][0], 'hex').toString('base64'));
      expect(readdirSync(dir)).toEqual(['secret.key']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('prefers the configured key', () => {
    const key = randomBytes(32);
    expect(loadSecretKey(key.toString('base64'), 'never-read').key).toEqual(key);
  });
});
