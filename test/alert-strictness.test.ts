import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, http, startServer, type TestServer } from './support/app.js';

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
