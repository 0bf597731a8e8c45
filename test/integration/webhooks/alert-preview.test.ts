import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, http, startServer, type TestServer } from '../../support/app.js';
import { quoted, quoteSourceSettings, startQuoteSource, type QuoteSource } from '../../support/quote-source.js';
import { connectWs, type WsClient } from '../../support/ws-client.js';

/** POST /api/strategies/:id/preview: what an alert would do, answered by the code that would do it, with nothing stored or traded. */
describe('previewing an alert', () => {
  let server: TestServer;
  let source: QuoteSource;
  let watcher: WsClient;
  let strategy: { id: string; webhookToken: string };
  const preview = (body: string, contentType = 'text/plain', id = strategy.id) =>
    http(server.url, 'POST', `/api/strategies/${id}/preview`, body, { raw: true, contentType });
  const traces = async () => ({
    events: ((await http(server.url, 'GET', `/api/events?strategyId=${strategy.id}`)).body as any[]).length,
    orders: (await http(server.url, 'GET', `/api/orders?strategyId=${strategy.id}`)).body.total,
    logs: ((await http(server.url, 'GET', `/api/logs?strategyId=${strategy.id}&limit=500`)).body as any[]).length,
  });

  beforeAll(async () => {
    source = await startQuoteSource();
    source.quote('NQ1!', 25000, 25000.25);
    source.quote('MNQ1!', 25000, 25000.25);
    server = await startServer({
      overrides: { plugins: { disabled: ['sim-feed'], settings: { 'ws-data-feed': quoteSourceSettings(source, ['NQ1!', 'MNQ1!']) } } },
    });
    watcher = await connectWs(server.url);
    watcher.send({ type: 'WATCH', tickers: ['NQ1!', 'MNQ1!'] });
    await quoted(server.url, 'NQ1!', 25000);
    strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'preview', defaultQuantity: 1 })).body;
  });
  afterAll(async () => {
    await watcher?.close();
    await server?.close();
    await source?.close();
  });

  it('answers the fields as read, the target, the orders with prices and the bracket, and stores nothing', async () => {
    const before = await traces();
    const answer = await preview(
      '{"ticker":"CME_MINI:NQ1!","action":"buy","quantity":"2","signalPrice":"25000","takeProfit":{"amount":20},"stopLoss":{"type":"stop_limit","amount":10},"timeInForce":"day"}',
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      accepted: true,
      status: 202,
      alert: {
        ticker: 'NQ1!',
        action: 'buy',
        quantity: 2,
        signalPrice: 25000,
        takeProfit: { points: 20 },
        stopLoss: { points: 10 },
        stopLossType: 'stop_limit',
        timeInForce: 'day',
      },
      notes: [],
      quantity: { value: 2, how: 'as sent' },
      position: { ticker: 'NQ1!', current: 0, target: 2 },
      cancels: null,
      orders: [
        {
          leg: 'recorder',
          account: 'Paper',
          ticker: 'NQ1!',
          side: 'buy',
          quantity: 2,
          type: 'market',
          timeInForce: 'day',
          expectedPrice: 25000.25,
          priceSource: 'quote:ws-data-feed',
          // From the signal price: 25000 + 20 and 25000 − 10; a stop-limit's limit is its stop.
          bracket: {
            takeProfit: 25020,
            stopLoss: 24990,
            stopLossType: 'stop_limit',
            stopLossLimitPrice: 24990,
            trailingTicks: null,
            breakEvenTicks: null,
          },
        },
      ],
    });
    expect(await traces()).toEqual(before);
  });

  it("gives the webhook's own refusal, word for word, in either content type", async () => {
    for (const body of [
      '{"ticker":"NQ1!","action":"constructor"}',
      '{ “ticker”: “NQ1!”, “action”: “buy” }',
      '60123,buy,NQ1!,risk=1',
      '{"ticker":"SPY 240510C68","action":"buy"}',
    ]) {
      const webhook = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, body, { raw: true, contentType: 'text/plain' });
      expect(webhook.status).toBe(400);
      for (const type of ['text/plain', 'application/json']) {
        expect((await preview(body, type)).body).toEqual({
          accepted: false,
          status: 400,
          error: webhook.body.message,
          notes: [],
          orders: [],
        });
      }
    }
  });

  it('shows what quantityType works out to, the delay, and the orders a link would place on its own symbol', async () => {
    const copy = (await http(server.url, 'POST', '/api/accounts', { name: 'Copy', broker: 'paper-broker', brokerAccountId: 'copy' })).body;
    const linked = (await http(server.url, 'POST', '/api/strategies', { name: 'linked' })).body;
    await http(server.url, 'PATCH', `/api/strategies/${linked.id}`, {
      links: [{ accountId: copy.id, symbolOverride: 'MNQ1!', multiplier: 3 }],
    });
    const answer = (
      await preview(
        JSON.stringify({
          ticker: 'NQ1!',
          action: 'buy',
          quantityType: 'risk_dollar_amount',
          quantity: 450,
          signalPrice: 25000,
          stopLoss: { amount: 4 },
          delay: 30,
        }),
        'application/json',
        linked.id,
      )
    ).body;
    // $450 ÷ (4 points × $20) = 5.625 → 5 contracts; the link trades 3 × 5 = 15 MNQ.
    expect(answer.quantity).toEqual({
      value: 5,
      how: '$450.00 ÷ (4 points to the stop × $20.00 a point) = 5.625, rounded down to 5 contracts',
    });
    expect(answer.delaySeconds).toBe(30);
    expect(answer.orders.map((o: any) => [o.leg.split(' ')[0], o.account, o.ticker, o.side, o.quantity, o.bracket.stopLoss])).toEqual([
      ['recorder', 'Paper', 'NQ1!', 'buy', 5, 24996],
      ['link', 'Copy', 'MNQ1!', 'buy', 15, 24996],
    ]);
    expect(((await http(server.url, 'GET', `/api/events?strategyId=${linked.id}`)).body as any[]).length).toBe(0);
  });

  it('says what a sizing rule refuses, which working orders an exit cancels, and that a disabled strategy takes nothing', async () => {
    const tooSmall = (await preview('{"ticker":"NQ1!","action":"buy","quantityType":"dollar_amount","quantity":1000}')).body;
    expect(tooSmall).toEqual(
      expect.objectContaining({
        accepted: true,
        orders: [],
        notes: [
          expect.stringMatching(/^the engine would trade nothing: dollar_amount: .*which rounds down to 0 contracts: nothing to trade$/),
        ],
      }),
    );
    const working = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, {
      ticker: 'NQ1!',
      action: 'buy',
      orderType: 'limit',
      limitPrice: 24000,
    });
    await eventually(async () => (await http(server.url, 'GET', `/api/events/${working.body.eventId}`)).body.status === 'done');
    expect((await preview('{"ticker":"NQ1!","action":"cancel"}')).body.cancels).toEqual({ tickers: ['NQ1!'], workingNow: 1 });
    expect((await preview('{"ticker":"NQ1!","action":"cancel","cancelOrderType":"stop"}')).body.cancels).toEqual({
      tickers: ['NQ1!'],
      orderType: 'stop',
      workingNow: 0,
    });

    await http(server.url, 'PATCH', `/api/strategies/${strategy.id}`, { enabled: false });
    const disabled = (await preview('{"ticker":"NQ1!","action":"sell"}')).body;
    expect(disabled).toEqual(
      expect.objectContaining({
        accepted: false,
        status: 409,
        error: 'strategy "preview" is disabled',
        notes: ['the strategy is disabled: the webhook would answer 409 and trade nothing'],
        position: { ticker: 'NQ1!', current: 0, target: -1 },
      }),
    );
    await http(server.url, 'PATCH', `/api/strategies/${strategy.id}`, { enabled: true });
  });

  it('warns of exits given the wrong way round, which the bracket would refuse, and not of exits the right way', async () => {
    // A long's take profit below its stop (a short's above): every price between them fills both.
    const long = (await preview('{"ticker":"NQ1!","action":"buy","takeProfit":{"limitPrice":24990},"stopLoss":{"stopPrice":25010}}')).body;
    expect(long.orders.map((o: any) => [o.side, o.bracket.takeProfit, o.bracket.stopLoss])).toEqual([['buy', 24990, 25010]]);
    expect(long.notes).toEqual([
      'recorder: the take profit @ 24990 is at or below the stop loss @ 25010, so both would fill: only the stop loss would be placed',
    ]);
    const short = (await preview('{"ticker":"NQ1!","action":"sell","takeProfit":{"limitPrice":25010},"stopLoss":{"stopPrice":25010}}'))
      .body;
    expect(short.notes).toEqual([
      'recorder: the take profit @ 25010 is at or above the stop loss @ 25010, so both would fill: only the stop loss would be placed',
    ]);
    const right = (await preview('{"ticker":"NQ1!","action":"buy","takeProfit":{"limitPrice":25010},"stopLoss":{"stopPrice":24990}}')).body;
    expect(right.notes).toEqual([]);
  });

  it('needs a signed-in user, and a strategy that exists', async () => {
    expect(
      (
        await http(server.url, 'POST', `/api/strategies/${strategy.id}/preview`, '{"ticker":"NQ1!","action":"buy"}', {
          raw: true,
          token: null,
        })
      ).status,
    ).toBe(401);
    expect((await preview('{"ticker":"NQ1!","action":"buy"}', 'text/plain', '00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });
});
