import chromiumPackage from '@sparticuz/chromium';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Where a system Chromium usually is; the first that exists wins over the packaged one. */
const SYSTEM_CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/**
 * The browser for the admin's end-to-end tests: `CHROMIUM_PATH`, else a system Chromium when the
 * machine has one, else the Chromium build that `npm ci` brought inside `@sparticuz/chromium`
 * (unpacked on first use) — so a fresh clone needs nothing installed by hand.
 */
export async function chromiumExecutable(): Promise<string> {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  return SYSTEM_CHROMIUM.find((path) => existsSync(path)) ?? (await chromiumPackage.executablePath());
}

/** Headless, with nothing reaching for the network: this machine's closed network refuses it anyway. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: await chromiumExecutable(),
    args: [
      '--no-sandbox',
      '--no-zygote',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
