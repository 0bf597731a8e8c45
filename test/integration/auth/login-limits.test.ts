import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startServer, TEST_ADMIN, type TestServer } from '../../support/app.js';

/** Failed-login limits that hold when the attempts arrive all at once, and a limiter that cannot be made to eat memory. */
describe('login limits under a burst', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer({
      // Each test poses as an address of its own (the server trusts X-Forwarded-For here); the defaults apply: 5 per name, 20 per address.
      overrides: { plugins: { disabled: ['sim-feed'] }, server: { trustProxy: true } },
    });
  });
  afterAll(() => server.close());

  const attempt = (address: string, username: string, password: string) =>
    fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
      body: JSON.stringify({ username, password }),
    }).then(async (response) => ({
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      body: await response.json(),
    }));

  const count = (statuses: number[]) => statuses.reduce<Record<number, number>>((n, s) => ({ ...n, [s]: (n[s] ?? 0) + 1 }), {});

  it('lets 5 of 60 wrong passwords for one name sent at once be checked, and none of the next burst', async () => {
    const first = await Promise.all(Array.from({ length: 60 }, (_, i) => attempt('198.51.100.10', 'admin', `guess-${i}`)));
    expect(count(first.map((r) => r.status))).toEqual({ 401: 5, 429: 55 });
    expect(first.filter((r) => r.status === 429).every((r) => Number(r.retryAfter) > 0)).toBe(true);
    const second = await Promise.all(Array.from({ length: 60 }, (_, i) => attempt('198.51.100.10', 'admin', `again-${i}`)));
    expect(count(second.map((r) => r.status))).toEqual({ 429: 60 });
    // Even the right password waits out the window now.
    expect((await attempt('198.51.100.10', 'admin', TEST_ADMIN.password)).status).toBe(429);
  });

  it('lets 20 of 60 wrong passwords for different names from one address sent at once be checked', async () => {
    const burst = await Promise.all(Array.from({ length: 60 }, (_, i) => attempt('198.51.100.11', `user-${i}`, 'wrong-password')));
    expect(count(burst.map((r) => r.status))).toEqual({ 401: 20, 429: 40 });
  });

  it('gives a successful login its attempt back, so signing in often never locks the owner out', async () => {
    for (let i = 0; i < 30; i++) expect((await attempt('198.51.100.12', TEST_ADMIN.username, TEST_ADMIN.password)).status).toBe(200);
    // As many at once as the name allows (5) all get in.
    const together = await Promise.all(Array.from({ length: 5 }, () => attempt('198.51.100.12', TEST_ADMIN.username, TEST_ADMIN.password)));
    expect(together.map((r) => r.status)).toEqual(Array(5).fill(200));
    expect((await attempt('198.51.100.12', TEST_ADMIN.username, TEST_ADMIN.password)).status).toBe(200);
  });

  it('keeps its memory flat through 30,000 refused logins with different user names', async () => {
    const address = '198.51.100.13';
    // 100 characters each, the longest a name may be: anything kept per name would grow the heap by
    // more than 2.5 MB over the 25,000 measured below.
    const names = (from: number, n: number) => Array.from({ length: n }, (_, i) => `probe-${from + i}-`.padEnd(100, 'x'));
    const statuses: Record<number, number> = {};
    const send = async (from: number, n: number) => {
      for (let sent = 0; sent < n; sent += 200) {
        for (const r of await Promise.all(names(from + sent, 200).map((name) => attempt(address, name, 'wrong-password')))) {
          statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        }
      }
    };
    const gc = (globalThis as { gc?: () => void }).gc!;
    const heap = () => {
      gc();
      gc();
      return process.memoryUsage().heapUsed;
    };
    const started = Date.now();
    // The address spends its 20 checks; the next 5,000 warm up what every request allocates once
    // (connection pools, compiled code), so that what is measured after is what grows with the count.
    await send(0, 5_000);
    const before = heap();
    await send(5_000, 25_000);
    const grown = heap() - before;
    // 20 per 15 minutes: one check refills every 45 s while this runs.
    const refilled = Math.ceil((Date.now() - started) / 45_000);
    expect(Object.keys(statuses).filter((s) => s !== '401' && s !== '429')).toEqual([]);
    expect(statuses[401] ?? 0).toBeLessThanOrEqual(20 + refilled);
    expect(statuses[429]).toBeGreaterThanOrEqual(30_000 - 20 - refilled);
    expect(grown).toBeLessThan(1.5 * 1024 * 1024);
  }, 240_000);
});
