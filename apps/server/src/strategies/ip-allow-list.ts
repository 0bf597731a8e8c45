import { BlockList, isIP } from 'node:net';

/** TradingView's published webhook source addresses. */
export const TRADINGVIEW_ADDRESSES = ['52.89.214.238', '34.212.75.30', '54.218.53.128', '52.32.178.7'] as const;
/** The allow-list entry that stands for TradingView's addresses, kept as a word so an update of them reaches every strategy. */
export const TRADINGVIEW_PRESET = 'tradingview';

/** `::ffff:1.2.3.4` (IPv4 on a dual-stack socket) is 1.2.3.4. */
const plain = (address: string) =>
  address.toLowerCase().startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;

/**
 * Checks each entry (an address, a CIDR range or `tradingview`) and returns them cleaned up; an
 * invalid entry throws a message naming it.
 */
export function normalizeAllowList(entries: string[]): string[] {
  return entries.map((raw, index) => {
    const entry = String(raw).trim();
    if (entry.toLowerCase() === TRADINGVIEW_PRESET) return TRADINGVIEW_PRESET;
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address);
    const maxBits = family === 4 ? 32 : 128;
    const validBits = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits);
    if (!family || extra !== undefined || !validBits) {
      throw new Error(`allowedIps[${index}]: ${JSON.stringify(raw)} is not an IP address, a CIDR range or "${TRADINGVIEW_PRESET}"`);
    }
    return entry;
  });
}

/** A matcher for an allow-list; an empty list allows every address. */
export function allowListMatcher(entries: readonly string[] | null): (address: string) => boolean {
  if (!entries?.length) return () => true;
  const list = new BlockList();
  for (const entry of entries) {
    if (entry === TRADINGVIEW_PRESET) {
      for (const address of TRADINGVIEW_ADDRESSES) list.addAddress(address, 'ipv4');
      continue;
    }
    const [address, bits] = entry.split('/');
    const type = isIP(address) === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return (address: string) => {
    const ip = plain(address);
    const family = isIP(ip);
    return family !== 0 && list.check(ip, family === 4 ? 'ipv4' : 'ipv6');
  };
}
