import { describe, expect, it } from '@jest/globals';
import { allowListMatcher, normalizeAllowList, TRADINGVIEW_ADDRESSES } from '../strategies/ip-allow-list.js';

describe('webhook IP allow-list', () => {
  it('allows everyone when empty', () => {
    expect(allowListMatcher(null)('203.0.113.9')).toBe(true);
    expect(allowListMatcher([])('203.0.113.9')).toBe(true);
  });

  it('expands the tradingview preset to its four published addresses', () => {
    const allowed = allowListMatcher(['tradingview']);
    for (const address of TRADINGVIEW_ADDRESSES) expect(allowed(address)).toBe(true);
    expect(allowed('52.89.214.239')).toBe(false);
  });

  it('matches single addresses and CIDR ranges, IPv4 and IPv6, also IPv4 seen on a dual-stack socket', () => {
    const allowed = allowListMatcher(['203.0.113.0/24', '198.51.100.7', '2001:db8::/32']);
    expect(allowed('203.0.113.200')).toBe(true);
    expect(allowed('::ffff:203.0.113.5')).toBe(true);
    expect(allowed('203.0.114.1')).toBe(false);
    expect(allowed('198.51.100.7')).toBe(true);
    expect(allowed('198.51.100.8')).toBe(false);
    expect(allowed('2001:db8:1::5')).toBe(true);
    expect(allowed('2001:db9::1')).toBe(false);
    expect(allowed('not an address')).toBe(false);
  });

  it('names the bad entry', () => {
    expect(normalizeAllowList([' TradingView ', '10.0.0.0/8'])).toEqual(['tradingview', '10.0.0.0/8']);
    expect(() => normalizeAllowList(['10.0.0.1', 'example.com'])).toThrow('allowedIps[1]: "example.com" is not an IP address');
    expect(() => normalizeAllowList(['10.0.0.0/33'])).toThrow(/allowedIps\[0\]/);
    expect(() => normalizeAllowList(['10.0.0.0/8/1'])).toThrow(/allowedIps\[0\]/);
  });
});
