import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, http, startServer, type TestServer } from '../../support/app.js';

/**
 * Values an alert names from a fixed vocabulary are looked up as data, never as properties of an
 * object; numbers are plain decimals within sane bounds; nesting is bounded at parse. Each refusal
 * is a 400 naming the field, nothing is stored, and the server keeps answering.
 */
describe('alert intake is strict about names, numbers and nesting', () => {
  let server: TestServer;
  let strategy: { id: string; webhookToken: string };
  const post = (body: string, contentType = 'application/json') =>
    http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, body, { raw: true, contentType });
  const events = async () => ((await http(server.url, 'GET', `/api/events?strategyId=${strategy.id}&limit=1000`)).body as unknown[]).length;

  beforeAll(async () => {
    server = await startServer({ overrides: { plugins: { disabled: ['sim-feed'] } } });
    strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'strict intake' })).body;
  });
  afterAll(() => server.close());

  it.each([
    ['orderType "constructor"', '{"ticker":"NQ1!","action":"buy","orderType":"constructor","price":25000}', /^orderType must be one of/],
    ['orderType "toString"', '{"ticker":"NQ1!","action":"buy","orderType":"toString","price":25000}', /^orderType must be one of/],
    ['action "__proto__"', '{"ticker":"NQ1!","action":"__proto__","price":25000}', /^action must be one of/],
    ['action "constructor"', '{"ticker":"NQ1!","action":"constructor","price":25000}', /^action must be one of/],
    ['sentiment "hasOwnProperty"', '{"ticker":"NQ1!","action":"buy","sentiment":"hasOwnProperty"}', /^sentiment must be one of/],
    ['quantityType "__proto__"', '{"ticker":"NQ1!","action":"buy","quantityType":"__proto__"}', /^quantityType must be one of/],
    ['timeInForce "valueOf"', '{"ticker":"NQ1!","action":"buy","timeInForce":"valueOf"}', /^timeInForce must be one of/],
    ['a stop loss type "constructor"', '{"ticker":"NQ1!","action":"buy","stopLoss":{"type":"constructor","amount":5}}', /^stopLoss\.type/],
    ['a stop loss key "constructor"', '{"ticker":"NQ1!","action":"buy","stopLoss":{"constructor":5}}', /^stopLoss\.constructor/],
    ['a take profit key "__proto__"', '{"ticker":"NQ1!","action":"buy","takeProfit":{"__proto__":5}}', /^takeProfit/],
    [
      'a hexadecimal quantity',
      '{"ticker":"NQ1!","action":"buy","quantity":"0x10","price":25000}',
      /^quantity must be a plain decimal number/,
    ],
    ['an exponent quantity', '{"ticker":"NQ1!","action":"buy","quantity":"1e2","price":25000}', /^quantity must be a plain decimal number/],
    ['a huge quantity', '{"ticker":"NQ1!","action":"buy","quantity":1e300,"price":25000}', /^quantity must be at most/],
    ['a huge quantity as text', '{"ticker":"NQ1!","action":"buy","quantity":"1e300","price":25000}', /^quantity must be a plain decimal/],
    ['Infinity', '{"ticker":"NQ1!","action":"buy","quantity":"Infinity","price":25000}', /^quantity must be a plain decimal/],
    ['NaN', '{"ticker":"NQ1!","action":"buy","price":"NaN"}', /^price must be a plain decimal/],
    ['a negative quantity', '{"ticker":"NQ1!","action":"buy","quantity":-2,"price":25000}', /^quantity must be greater than 0/],
    ['a negative quantity as text', '{"ticker":"NQ1!","action":"buy","quantity":"-2","price":25000}', /^quantity must be greater than 0/],
    ['an absurd price', '{"ticker":"NQ1!","action":"buy","price":1e12}', /^price must be at most/],
    [
      'an absurd limit price',
      '{"ticker":"NQ1!","action":"buy","orderType":"limit","limitPrice":"99999999999"}',
      /^limitPrice must be at most/,
    ],
    ['a huge positionSize', '{"ticker":"NQ1!","positionSize":"-5000000"}', /^positionSize must be between/],
    ['a ticker over 64 characters', `{"ticker":"${'N'.repeat(70)}","action":"buy"}`, /^ticker is 70 characters long/],
    ['a ticker with markup', '{"ticker":"<img src=x>","action":"buy"}', /^ticker "<img src=x>" is not a symbol/],
  ])('answers 400 to %s, naming the field, and stores nothing', async (_case, body, message) => {
    const before = await events();
    const response = await post(body);
    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(message);
    expect(await events()).toBe(before);
  });

  it('answers 400 (not a 500) to 10,000-deep nesting, in both content types, and keeps running', async () => {
    const deep = `{"ticker":"NQ1!","action":"buy","takeProfit":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    for (const type of ['application/json', 'text/plain']) {
      const response = await post(deep, type);
      expect(response.status).toBe(400);
      expect(response.body.message).toMatch(/nested more than \d+ levels deep/);
    }
    const objects = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    expect((await post(objects)).status).toBe(400);
    expect((await http(server.url, 'GET', '/api/health')).status).toBe(200);
  });

  it('accepts plain decimals as numbers or text, and trades exactly them', async () => {
    const response = await post('{"ticker":"MES1!","action":"buy","quantity":"2","price":"6800.25"}');
    expect(response.status).toBe(202);
    const position = await eventually(async () => {
      const rows = (await http(server.url, 'GET', `/api/positions?strategyId=${strategy.id}`)).body as any[];
      return rows.find((p) => p.ticker === 'MES1!');
    });
    expect(position).toEqual(expect.objectContaining({ quantity: 2, avgPrice: 6800.25 }));
  });
});

describe("PickMyTrade's alerts through the webhook", () => {
  let server: TestServer;
  let strategy: { id: string; webhookToken: string };
  beforeAll(async () => {
    server = await startServer({ overrides: { plugins: { disabled: ['sim-feed'] } } });
    strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'from PickMyTrade' })).body;
  });
  afterAll(() => server.close());

  it('trades a generated alert where it maps, says what it ignored, and never logs their token', async () => {
    const generated = {
      symbol: 'NQ1!',
      date: '2026-12-04T15:30:00Z',
      data: 'sell',
      quantity: '2',
      risk_percentage: '0',
      price: '25000.25',
      tp: '0',
      percentage_tp: '0',
      dollar_tp: '0',
      sl: '25010.25',
      dollar_sl: '0',
      percentage_sl: '0',
      trail: '0',
      update_tp: 'false',
      update_sl: 'false',
      token: 'their-secret-token-abc123',
      duplicate_position_allow: 'false',
      reverse_order_close: 'true',
      multiple_accounts: [{ token: 'their-secret-token-abc123', account_id: '2', risk_percentage: 2, quantity_multiplier: 0 }],
    };
    const accepted = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, JSON.stringify(generated), {
      raw: true,
      contentType: 'text/plain',
    });
    expect(accepted.status).toBe(202);
    expect(accepted.body.notes).toEqual([
      'read as a PickMyTrade alert',
      'token ignored (the webhook URL is the secret)',
      "multiple_accounts ignored (copy to other accounts with the strategy's links)",
    ]);
    // Without duplicate_position_allow, a sell sets the position to short 2, with its stop at 25,010.25.
    const legs = await eventually(async () => {
      const orders = (await http(server.url, 'GET', `/api/orders?strategyId=${strategy.id}`)).body.items as any[];
      // The stop is on record (pending) a moment before the broker takes it (working).
      return orders.some((o) => /:sl1$/.test(o.clientOrderId) && o.status !== 'pending') ? orders : undefined;
    });
    expect(legs.map((o) => [o.side, o.quantity, o.type, o.status, o.stopPrice]).sort()).toEqual([
      ['buy', 2, 'stop', 'working', 25010.25],
      ['sell', 2, 'market', 'filled', null],
    ]);
    const refused = await http(
      server.url,
      'POST',
      `/webhooks/${strategy.webhookToken}`,
      JSON.stringify({ ...generated, dollar_sl: '150' }),
      {
        raw: true,
        contentType: 'text/plain',
      },
    );
    expect(refused.body.message).toMatch(/^dollar_sl \(PickMyTrade\) depends on PickMyTrade's own settings/);
    const logs = JSON.stringify((await http(server.url, 'GET', `/api/logs?strategyId=${strategy.id}&limit=100`)).body);
    expect(logs).toContain('webhook refused: dollar_sl');
    expect(logs).not.toContain('their-secret-token-abc123');
  });
});
