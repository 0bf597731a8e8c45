import chromiumPackage from '@sparticuz/chromium';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

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

/** A page of the admin signed in through its login form (or by the context's cookie, once signed in). */
export async function signedInPage(
  context: BrowserContext,
  base: string,
  path: string,
  credentials: { username: string; password: string },
) {
  const page = await context.newPage();
  await page.goto(`${base}${path}`);
  await page.locator('[data-testid="login-username"], [data-testid="logout"]').first().waitFor();
  if (page.url().includes('/login')) {
    await page.getByTestId('login-username').fill(credentials.username);
    await page.getByTestId('login-password').fill(credentials.password);
    await page.getByTestId('login-submit').click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));
  }
  return page;
}
