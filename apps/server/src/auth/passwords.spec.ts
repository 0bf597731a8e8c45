import { describe, expect, it } from '@jest/globals';
import { hashPassword, randomPassword, verifyPassword } from './passwords.js';

describe('passwords', () => {
  it('stores a salted scrypt hash that verifies the password and nothing else', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{88}$/);
    expect(stored).not.toContain('correct horse');
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('salts every hash: the same password hashes differently twice', async () => {
    const [a, b] = await Promise.all([hashPassword('same'), hashPassword('same')]);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same', a)).toBe(true);
    expect(await verifyPassword('same', b)).toBe(true);
  });

  it('refuses a stored value that is not a scrypt hash', async () => {
    expect(await verifyPassword('x', 'plain-text-password')).toBe(false);
  });

  it('generates random passwords of 144 bits', () => {
    const password = randomPassword();
    expect(Buffer.from(password, 'base64url')).toHaveLength(18);
    expect(randomPassword()).not.toBe(password);
  });
});
