import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { DEFAULT_USER, FakeProjectX } from '../../plugins/projectx/src/testing/fake-projectx.js';
import { eventually, http, startServer, TEST_ADMIN, type TestServer } from '../support/app.js';
import { launchBrowser, signedInPage } from '../support/browser.js';

/**
 * The admin's account form in a real browser: each broker offers its own fields from its plugin's
 * manifest, secret ones in password boxes; the key is sent once, sealed, and never shown again.
 */
describe('account form in a browser', () => {
  let fake: FakeProjectX;
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    fake = await FakeProjectX.start();
    server = await startServer({
      overrides: { plugins: { disabled: ['sim-feed'], settings: { projectx: { apiUrl: fake.url, rtcUrl: fake.url } } } },
    });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await fake?.close();
  });

  it("offers ProjectX's fields, takes the API key in a password box, and never shows it again", async () => {
    const context = await browser.newContext();
    const page = await signedInPage(context, server.url, '/settings', TEST_ADMIN);
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.getByText('Add a broker account').click();

    // Tradovate first: its own fields, the device id only for live accounts.
    await page.getByTestId('account-broker').selectOption('tradovate');
    await page.getByTestId('account-field-username').waitFor();
    expect(await page.getByTestId('account-field-deviceId').count()).toBe(0);
    await page.getByTestId('account-field-environment').locator('select').selectOption({ label: 'live' });
    await page.getByTestId('account-field-deviceId').waitFor();
    expect(await page.getByTestId('account-field-sec').locator('input').getAttribute('type')).toBe('password');

    await page.getByTestId('account-broker').selectOption('projectx');
    await page.getByTestId('account-field-userName').waitFor();
    expect(await page.getByTestId('account-field-username').count()).toBe(0);
    const key = page.getByTestId('account-field-apiKey').locator('input');
    expect(await key.getAttribute('type')).toBe('password');
    await expect(page.locator('label', { hasText: 'Account name at ProjectX' }).count()).resolves.toBe(1);

    // Missing fields are named before anything is sent.
    await page.locator('input[name="name"]').fill('TopstepX practice');
    await page.getByTestId('account-broker-id').fill('PRAC-V2-101');
    await page.getByTestId('account-add').click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/settings.userName is required.*secrets.apiKey is required/);

    await page.getByTestId('account-field-userName').locator('input').fill(DEFAULT_USER.userName);
    await key.fill(DEFAULT_USER.apiKey);
    await page.getByTestId('account-add').click();
    const row = page.getByTestId('settings-account').filter({ hasText: 'TopstepX practice' });
    await row.waitFor();
    expect(await row.textContent()).toMatch(/projectx.*userName=trader@example.com.*apiKey set/s);
    // The key went to the server once, sealed: the form is empty again and the page never shows it.
    expect(await page.getByTestId('account-field-apiKey').locator('input').inputValue()).toBe('');
    expect(await page.content()).not.toContain(DEFAULT_USER.apiKey);
    const accounts = (await http(server.url, 'GET', '/api/accounts')).body as any[];
    expect(accounts.find((a) => a.broker === 'projectx')).toEqual(
      expect.objectContaining({ brokerAccountId: 'PRAC-V2-101', settings: { userName: DEFAULT_USER.userName }, secrets: ['apiKey'] }),
    );
    await eventually(async () => fake.calls('/api/Auth/loginKey').length > 0, 5000, 'the login with the sealed key');
    expect(fake.calls('/api/Auth/loginKey')[0]!.body).toEqual({ userName: DEFAULT_USER.userName, apiKey: DEFAULT_USER.apiKey });
    expect(problems).toEqual([]);
    await context.close();
  });
});
