import type * as Ccxt from 'ccxt';

type CcxtLib = typeof Ccxt.default;
let lib: Promise<CcxtLib> | undefined;
let loaded: CcxtLib | undefined;

/**
 * ccxt, imported on first use: the library takes seconds and about 100 MB to load, so a server
 * without a crypto account never pays for it.
 */
export function loadCcxt(): Promise<CcxtLib> {
  lib ??= import('ccxt').then((m) => (loaded = m.default));
  return lib;
}

/** ccxt if it is loaded already (every link holds it loaded). */
export function ccxtLib(): CcxtLib {
  if (!loaded) throw new Error('ccxt is not loaded yet');
  return loaded;
}
