import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { AppConfig } from '../../config/config.schema.js';

const VERSION = 'v1';

/** Reads a 32-byte key written as 64 hex digits or as base64; anything else is refused with the fix. */
export function parseSecretKey(text: string, source: string): Buffer {
  const value = text.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(value)) key = Buffer.from(value, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) key = Buffer.from(value, 'base64');
  if (key?.length !== 32) {
    throw new Error(`${source} must be 32 random bytes as base64 or 64 hex digits (make one with: openssl rand -base64 32)`);
  }
  return key;
}

/**
 * The key from TRADELOOP_SECRET_KEY when set; otherwise a key file under the data folder,
 * created on first start with owner-only permissions. Several processes on several machines
 * must share TRADELOOP_SECRET_KEY; several processes starting together on one data folder agree
 * on one key file.
 */
export function loadSecretKey(configured: string, keyFile: string): { key: Buffer; created: boolean; warning?: string } {
  if (configured) return { key: parseSecretKey(configured, 'TRADELOOP_SECRET_KEY'), created: false };
  if (!existsSync(keyFile) && createKeyFile(keyFile)) return { key: parseSecretKey(readFileSync(keyFile, 'utf8'), keyFile), created: true };
  const mode = statSync(keyFile).mode & 0o777;
  const warning = mode & 0o077 ? `${keyFile} is readable by other users (mode ${mode.toString(8)}); run chmod 600 on it` : undefined;
  return { key: parseSecretKey(readFileSync(keyFile, 'utf8'), keyFile), created: false, warning };
}

/** The key this configuration names: TRADELOOP_SECRET_KEY, or `<dataDir>/secret.key`. */
export const loadConfiguredKey = (config: AppConfig) => loadSecretKey(config.secrets.key, join(resolve(config.dataDir), 'secret.key'));

/**
 * Writes a new key in full under a name of its own, then links it into place: another process
 * never reads a half-written key, and of two processes starting together one wins (false: the
 * other's key stands).
 */
function createKeyFile(keyFile: string): boolean {
  mkdirSync(dirname(keyFile), { recursive: true, mode: 0o700 });
  const draft = `${keyFile}.${process.pid}.${randomBytes(4).toString('hex')}.new`;
  writeFileSync(draft, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(draft, keyFile);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(draft);
  }
}

/**
 * AES-256-GCM for secrets at rest (broker passwords, API keys). Each value gets a fresh IV; the
 * key's fingerprint rides along so a value sealed with another key fails with that reason.
 */
export class SecretBox {
  private readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('secret key must be 32 bytes');
    this.keyId = createHash('sha256').update(key).digest('hex').slice(0, 8);
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, this.keyId, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
  }

  open(sealed: string): string {
    const [version, keyId, iv, tag, body] = sealed.split(':');
    if (version !== VERSION || body === undefined) throw new Error('stored secret is not in a known format');
    if (keyId !== this.keyId) throw new Error('stored secret was encrypted with another key (check TRADELOOP_SECRET_KEY)');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
  }

  sealJson(value: Record<string, string>): string {
    return this.seal(JSON.stringify(value));
  }

  openJson(sealed: string | null): Record<string, string> {
    return sealed ? (JSON.parse(this.open(sealed)) as Record<string, string>) : {};
  }
}
