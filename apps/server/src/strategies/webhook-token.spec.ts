import { describe, expect, it } from '@jest/globals';
import { newWebhookToken, tokenFingerprint, webhookTokenHash } from './webhook-token.js';

describe('webhook tokens', () => {
  it("keeps a token's SHA-256 in hex: the published test vectors (FIPS 180-2, appendix B)", () => {
    // Rows written before this build keep matching: the digest is the standard one, whatever computes it.
    expect(webhookTokenHash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(webhookTokenHash('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('makes 192-bit URL-safe tokens, and tells them apart in logs by 8 characters of their hash', () => {
    const token = newWebhookToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(newWebhookToken()).not.toBe(token);
    expect(tokenFingerprint(token)).toBe(webhookTokenHash(token).slice(0, 8));
  });
});
