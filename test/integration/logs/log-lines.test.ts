import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MarketService } from '../../../apps/server/src/market/market.service.js';
import { eventually, http, startServer, type TestServer } from '../../support/app.js';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

/** What a trader reads in the log for one alert: its own id and a short reference, never a bare UUID. */
describe('log lines of an alert', () => {
  let server: TestServer;
  let strategy: { id: string; webhookToken: string };

  beforeAll(async () => {
    server = await startServer({ overrides: { plugins: { disabled: ['sim-feed'] } } });
    strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'words' })).body;
    server.app.get(MarketService).publish({ ticker: 'NQ1!', bid: 25000, ask: 25000.25, time: Date.now() });
  });
  afterAll(() => server?.close());

  const linesOf = async (eventId: string) => {
    const entries = (await http(server.url, 'GET', `/api/logs?strategyId=${strategy.id}&limit=100`)).body as {
      message: string;
      context: { eventId?: string } | null;
    }[];
    return entries.filter((e) => e.context?.eventId === eventId).map((e) => e.message);
  };

  it('names the alert by its own id and the first 8 characters of the event', async () => {
    const sent = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, {
      ticker: 'NQ1!',
      action: 'buy',
      quantity: 2,
      id: 'long-entry-1',
    });
    expect(sent.status).toBe(202);
    const eventId: string = sent.body.eventId;
    const ref = `#${eventId.slice(0, 8)}`;
    const lines = await eventually(async () => {
      const found = await linesOf(eventId);
      return found.length >= 2 ? found : null;
    });
    expect(lines).toEqual(
      expect.arrayContaining([
        `alert accepted: buy 2 NQ1! (${ref} "long-entry-1")`,
        expect.stringMatching(new RegExp(`^alert ${ref} "long-entry-1": .*buy 2 NQ1! market → filled`)),
      ]),
    );
    for (const line of lines) expect(line).not.toMatch(UUID);
  });

  it('names an alert without an id by its reference alone, and a repeat by the alert it repeats', async () => {
    const sent = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, { ticker: 'NQ1!', action: 'sell', quantity: 2 });
    const ref = `#${(sent.body.eventId as string).slice(0, 8)}`;
    const lines = await eventually(async () => {
      const found = await linesOf(sent.body.eventId);
      return found.length >= 2 ? found : null;
    });
    expect(lines).toEqual(
      expect.arrayContaining([`alert accepted: sell 2 NQ1! (${ref})`, expect.stringMatching(new RegExp(`^alert ${ref}: `))]),
    );
    const again = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, {
      ticker: 'NQ1!',
      action: 'buy',
      id: 'long-entry-1',
    });
    expect(again.body.duplicate).toBe(true);
    const [latest] = (await http(server.url, 'GET', `/api/logs?strategyId=${strategy.id}&limit=1`)).body;
    expect(latest.message).toMatch(/^duplicate of alert #[0-9a-f]{8} "long-entry-1" ignored$/);
  });
});
