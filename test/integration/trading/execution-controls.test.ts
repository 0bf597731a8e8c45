import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Quote } from '@tradeloop/contracts';
import { addDays, TradingCalendar } from '@tradeloop/domain';
import { MarketService } from '../../../apps/server/src/market/market.service.js';
import { RiskMonitor } from '../../../apps/server/src/trading/risk-monitor.service.js';
import { eventually, http, startServer, type TestServer } from '../../support/app.js';

/** No simulated feed: the test publishes every quote, so every fill and dollar is known. */
async function controlsServer(): Promise<TestServer> {
  return startServer({
    overrides: { plugins: { disabled: ['sim-feed'] }, webhooks: { rateLimit: { perTokenPerMinute: 1000, perIpPerMinute: 10000 } } },
  });
}

const quote = (ticker: string, bid: number, ask: number): Quote => ({ ticker, bid, ask, time: Date.now() });

describe('copy trading: one alert to three accounts', () => {
  let server: TestServer;
  let market: MarketService;
  let strategy: any;
  const accounts: Record<string, string> = {};

  beforeAll(async () => {
    server = await controlsServer();
    market = server.app.get(MarketService);
    for (const name of ['Own', 'Double', 'Micro', 'Inverse']) {
      accounts[name] = (
        await http(server.url, 'POST', '/api/accounts', {
          name,
          broker: 'paper-broker',
          brokerAccountId: name.toLowerCase(),
          startingBalance: 10000,
        })
      ).body.id;
    }
    const created = await http(server.url, 'POST', '/api/strategies', {
      name: 'copied',
      links: [
        { accountId: accounts.Own, multiplier: 1 },
        { accountId: accounts.Double, multiplier: 2 },
        { accountId: accounts.Micro, multiplier: 1, symbolOverride: 'CME_MINI:MNQZ2026' },
        { accountId: accounts.Inverse, multiplier: 1, inverse: true, enabled: false },
      ],
    });
    expect(created.status).toBe(201);
    strategy = created.body;
  });
  afterAll(() => server.close());

  const hook = (body: object) => http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, body);
  const settled = (eventId: string) =>
    eventually(
      async () => ['done', 'failed'].includes((await http(server.url, 'GET', `/api/events/${eventId}`)).body.status),
      10000,
      `event ${eventId}`,
    );

  it('places one order per enabled link, scaled and on the override symbol, apart from the recorder', async () => {
    market.publish(quote('NQ1!', 25000, 25000.25));
    market.publish(quote('MNQ1!', 25000, 25000.25));
    const buy = await hook({ ticker: 'NQ1!', action: 'buy', quantity: 1 });
    await settled(buy.body.eventId);
    const orders = (await http(server.url, 'GET', `/api/orders?strategyId=${strategy.id}`)).body.items as any[];
    const byAccount = Object.fromEntries(orders.map((o) => [o.accountId, [o.side, o.quantity, o.ticker, o.status, o.avgFillPrice]]));
    expect(byAccount).toEqual({
      [strategy.accountId]: ['buy', 1, 'NQ1!', 'filled', 25000.25],
      [accounts.Own]: ['buy', 1, 'NQ1!', 'filled', 25000.25],
      [accounts.Double]: ['buy', 2, 'NQ1!', 'filled', 25000.25],
      [accounts.Micro]: ['buy', 1, 'MNQ1!', 'filled', 25000.25],
    });
    // The disabled inverse link placed nothing.
    expect(orders.some((o) => o.accountId === accounts.Inverse)).toBe(false);
  });

  it('tracks each link’s P&L apart, and the recorder’s apart from them', async () => {
    market.publish(quote('NQ1!', 25010, 25010.25));
    market.publish(quote('MNQ1!', 25010, 25010.25));
    const exit = await hook({ ticker: 'NQ1!', action: 'exit' });
    await settled(exit.body.eventId);
    const detail = (await http(server.url, 'GET', `/api/strategies/${strategy.id}`)).body;
    // (25010 − 25000.25) / 0.25 = 39 ticks: $5 a tick on NQ, $0.50 on MNQ.
    expect(detail.realizedPnl).toBe(195);
    expect(Object.fromEntries(detail.links.map((l: any) => [l.accountId, l.realizedPnl]))).toEqual({
      [accounts.Own]: 195,
      [accounts.Double]: 390,
      [accounts.Micro]: 19.5,
      [accounts.Inverse]: 0,
    });
    const balances = Object.fromEntries(
      ((await http(server.url, 'GET', '/api/accounts')).body as any[]).map((a) => [a.name, a.realizedPnl]),
    );
    expect(balances).toEqual(expect.objectContaining({ Own: 195, Double: 390, Micro: 19.5, Inverse: 0 }));
    // The strategies' totals count the recorder only, not its copies.
    expect((await http(server.url, 'GET', '/api/pnl/summary')).body.realizedPnl).toBe(195);
    expect((await http(server.url, 'GET', `/api/trades?strategyId=${strategy.id}`)).body.total).toBe(1);
  });

  it('trades an inverse link the other way', async () => {
    await http(server.url, 'PATCH', `/api/strategies/${strategy.id}`, {
      links: [{ accountId: accounts.Inverse, multiplier: 2, inverse: true }],
    });
    const sell = await hook({ ticker: 'NQ1!', action: 'sell', quantity: 1 });
    await settled(sell.body.eventId);
    const [inverse] = (await http(server.url, 'GET', `/api/positions?accountId=${accounts.Inverse}`)).body;
    expect([inverse.ticker, inverse.quantity]).toEqual(['NQ1!', 2]);
    const links = (await http(server.url, 'GET', `/api/strategies/${strategy.id}`)).body.links;
    // Links left out of the new list are gone; their history stays on their accounts.
    expect(links.map((l: any) => l.accountId)).toEqual([accounts.Inverse]);
  });

  it('refuses links that make no sense, naming the field', async () => {
    const own = await http(server.url, 'PATCH', `/api/strategies/${strategy.id}`, { links: [{ accountId: strategy.accountId }] });
    expect(own.status).toBe(400);
    expect(own.body.message).toMatch(/^links\[0\]\.accountId: that is the strategy's own account/);
    const twice = await http(server.url, 'PATCH', `/api/strategies/${strategy.id}`, {
      links: [{ accountId: accounts.Own }, { accountId: accounts.Own }],
    });
    expect(twice.body.message).toBe('links[1].accountId: linked twice');
    const symbol = await http(server.url, 'PATCH', `/api/strategies/${strategy.id}`, {
      links: [{ accountId: accounts.Own, symbolOverride: ' ' }],
    });
    expect(symbol.status).toBe(400);
    const multiplier = await http(server.url, 'PATCH', `/api/strategies/${strategy.id}`, {
      links: [{ accountId: accounts.Own, multiplier: -1 }],
    });
    expect(JSON.stringify(multiplier.body.message)).toMatch(/multiplier/);
  });
});

describe('brackets from alerts, and one-cancels-the-other', () => {
  let server: TestServer;
  let market: MarketService;
  let strategy: any;

  beforeAll(async () => {
    server = await controlsServer();
    market = server.app.get(MarketService);
    strategy = (await http(server.url, 'POST', '/api/strategies', { name: 'bracketed', exits: { stopLoss: { ticks: 20 } } })).body;
  });
  afterAll(() => server.close());

  const orders = async () => (await http(server.url, 'GET', `/api/orders?strategyId=${strategy.id}&limit=100`)).body.items as any[];

  it('places the alert’s take profit and the strategy’s default stop, and cancels the stop when the target fills', async () => {
    market.publish(quote('ES1!', 6800, 6800.25));
    await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, {
      ticker: 'ES1!',
      action: 'buy',
      quantity: 2,
      takeProfit: { points: 2 },
    });
    const legs = await eventually(async () => {
      const list = (await orders()).filter((o) => o.status === 'working');
      return list.length === 2 ? list : undefined;
    });
    // Entry at 6800.25: take profit 2 points (8 ticks) above, stop 20 ticks below.
    expect(Object.fromEntries(legs.map((o) => [o.type, [o.side, o.quantity, o.limitPrice ?? o.stopPrice]]))).toEqual({
      limit: ['sell', 2, 6802.25],
      stop: ['sell', 2, 6795.25],
    });
    market.publish(quote('ES1!', 6802.25, 6802.5));
    await eventually(async () => (await orders()).filter((o) => o.status === 'working').length === 0, 10000, 'no orphan left');
    const list = await orders();
    expect(list.find((o) => o.type === 'limit').status).toBe('filled');
    expect(list.find((o) => o.type === 'stop').status).toBe('cancelled');
    const [trade] = (await http(server.url, 'GET', `/api/trades?strategyId=${strategy.id}`)).body.items;
    // 8 ticks × $12.50 × 2
    expect(trade.pnl).toBe(200);
  });

  it('cancels both legs on exit, leaving nothing working', async () => {
    market.publish(quote('ES1!', 6800, 6800.25));
    const buy = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, {
      ticker: 'ES1!',
      action: 'buy',
      quantity: 1,
      takeProfit: { ticks: 40 },
    });
    await eventually(async () => (await orders()).filter((o) => o.status === 'working').length === 2);
    const exit = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, { ticker: 'ES1!', action: 'exit' });
    await eventually(async () => (await orders()).filter((o) => o.status === 'working').length === 0, 10000, 'legs cancelled');
    // The legs are cancelled before the exit's own order is placed: the position is flat once that one fills.
    const closing = await eventually(async () =>
      (await orders()).find((o) => o.clientOrderId.startsWith(`${exit.body.eventId}:`) && o.status === 'filled'),
    );
    expect([closing.side, closing.quantity]).toEqual(['sell', 1]);
    const [position] = (await http(server.url, 'GET', `/api/positions?strategyId=${strategy.id}&includeFlat=true`)).body;
    expect(position.quantity).toBe(0);
    const legs = (await orders()).filter((o) => o.clientOrderId.startsWith(`${buy.body.eventId}:1:`));
    expect(legs.map((o) => o.status)).toEqual(['cancelled', 'cancelled']);
    expect(buy.status).toBe(202);
  });

  it('moves the stop to break-even, then trails it, and books the trailed exit', async () => {
    const trailing = (
      await http(server.url, 'POST', '/api/strategies', {
        name: 'trailing',
        exits: { stopLoss: { ticks: 20 }, breakEvenTicks: 8, trailingTicks: 12 },
      })
    ).body;
    const working = async () =>
      ((await http(server.url, 'GET', `/api/orders?strategyId=${trailing.id}&status=working`)).body.items as any[]).map((o) => o.stopPrice);
    market.publish(quote('NQ1!', 25000, 25000.25));
    await http(server.url, 'POST', `/webhooks/${trailing.webhookToken}`, { ticker: 'NQ1!', action: 'buy', quantity: 1 });
    await eventually(async () => (await working())[0] === 24995.25, 10000, 'the first stop, 20 ticks under the entry');
    market.publish(quote('NQ1!', 25002.25, 25002.5)); // 8 ticks up: break-even
    await eventually(async () => (await working())[0] === 25000.25, 10000, 'the stop at the entry');
    market.publish(quote('NQ1!', 25010, 25010.25)); // trails 12 ticks under the best bid
    await eventually(async () => (await working())[0] === 25007, 10000, 'the trailed stop');
    market.publish(quote('NQ1!', 25008, 25008.25)); // a pullback leaves it
    market.publish(quote('NQ1!', 25006.75, 25007)); // through the stop: it fills at the bid
    const [trade] = await eventually(async () => {
      const body = (await http(server.url, 'GET', `/api/trades?strategyId=${trailing.id}`)).body;
      return body.total === 1 ? body.items : undefined;
    });
    // (25006.75 − 25000.25) / 0.25 = 26 ticks × $5
    expect([trade.exitPrice, trade.pnl]).toEqual([25006.75, 130]);
    expect(await working()).toEqual([]);
  });

  it('refuses an exit it cannot read, naming it', async () => {
    const bad = await http(server.url, 'POST', `/webhooks/${strategy.webhookToken}`, {
      ticker: 'ES1!',
      action: 'buy',
      stopLoss: { ticks: 'many' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('stopLoss.ticks must be a plain decimal number like 2 or 25329.50, got "many"');
    const badDefault = await http(server.url, 'PATCH', `/api/strategies/${strategy.id}`, { exits: { takeProfit: { miles: 3 } } });
    expect(badDefault.body.message).toMatch(/^exits.takeProfit needs exactly one of/);
    // Default exits are bounded as an alert's are: a stop of 500 % is below zero, a price of 1e300 no price at all.
    for (const [exits, message] of [
      [{ stopLoss: { percent: 500 } }, 'exits.stopLoss.percent must be at most 99.99, got 500'],
      [{ stopLoss: { price: 1e300 } }, 'exits.stopLoss.price must be at most 100,000,000, got 1e+300'],
      [{ trailingTicks: 1e12 }, 'exits.trailingTicks must be at most 1,000,000, got 1000000000000'],
    ] as const) {
      const refused = await http(server.url, 'PATCH', `/api/strategies/${strategy.id}`, { exits });
      expect([refused.status, refused.body.message]).toEqual([400, message]);
    }
  });
});

describe('risk limits', () => {
  let server: TestServer;
  let market: MarketService;

  beforeAll(async () => {
    server = await controlsServer();
    market = server.app.get(MarketService);
  });
  afterAll(() => server.close());

  const create = async (name: string, risk: object) => (await http(server.url, 'POST', '/api/strategies', { name, risk })).body;
  const hook = (s: any, body: object) => http(server.url, 'POST', `/webhooks/${s.webhookToken}`, body);
  const eventLog = async (s: any, eventId: string) =>
    eventually(async () => {
      const logs = (await http(server.url, 'GET', `/api/logs?strategyId=${s.id}&limit=100`)).body as any[];
      return logs.find((l) => l.category === 'engine' && l.context?.eventId === eventId);
    });

  /**
   * An account and eight strategies on it, each sent a buy of 1 at the same moment: eight lanes,
   * so their orders are checked side by side, not one after another. The outcomes in order.
   */
  const burst = async (
    name: string,
    account: object,
    ticker: string,
    bid: number,
    ask: number,
    setUp: (account: any) => Promise<void> = async () => undefined,
  ) => {
    const created = (await http(server.url, 'POST', '/api/accounts', { name, broker: 'paper-broker', startingBalance: 50000, ...account }))
      .body;
    await setUp(created);
    const strategies = [];
    for (let i = 0; i < 8; i++)
      strategies.push((await http(server.url, 'POST', '/api/strategies', { name: `${name} ${i}`, accountId: created.id })).body);
    market.publish(quote(ticker, bid, ask));
    const sent = await Promise.all(strategies.map((s) => hook(s, { ticker, action: 'buy', quantity: 1 })));
    expect(sent.map((r) => r.status)).toEqual(Array(8).fill(202));
    const outcomes = await Promise.all(strategies.map((s, i) => eventLog(s, sent[i].body.eventId)));
    return { account: created, strategies, outcomes };
  };

  it('refuses an order past the position limit, says why in the event and on the order, and still lets a close through', async () => {
    const s = await create('capped', { maxPositionSize: 2 });
    market.publish(quote('YM1!', 47000, 47001));
    const first = await hook(s, { ticker: 'YM1!', action: 'buy', quantity: 2 });
    await eventLog(s, first.body.eventId);
    const refused = await hook(s, { ticker: 'YM1!', action: 'buy', quantity: 1 });
    expect((await eventLog(s, refused.body.eventId)).message).toMatch(
      /rejected \(risk limit: strategy "capped" may hold at most 2 in YM1!; this order would make it 3\)/,
    );
    const order = (await http(server.url, 'GET', `/api/orders?strategyId=${s.id}&status=rejected`)).body.items[0];
    expect(order.reason).toMatch(/^risk limit: strategy "capped" may hold at most 2/);
    const close = await hook(s, { ticker: 'YM1!', action: 'exit' });
    expect((await eventLog(s, close.body.eventId)).message).toMatch(/sell 2 YM1! market → filled/);
  });

  it("counts every strategy's position toward an account's position limit, and lets an order that reduces it through", async () => {
    const account = (
      await http(server.url, 'POST', '/api/accounts', {
        name: 'capped account',
        broker: 'paper-broker',
        brokerAccountId: 'capped',
        startingBalance: 50000,
        risk: { maxPositionSize: 3 },
      })
    ).body;
    expect(account.id).toEqual(expect.any(String));
    const onAccount = async (name: string) => (await http(server.url, 'POST', '/api/strategies', { name, accountId: account.id })).body;
    const [first, second] = [await onAccount('first on capped'), await onAccount('second on capped')];
    market.publish(quote('RTY1!', 2400, 2400.1));
    const bought = await hook(first, { ticker: 'RTY1!', action: 'buy', quantity: 2 });
    expect((await eventLog(first, bought.body.eventId)).message).toMatch(/buy 2 RTY1! market → filled/);
    // 2 held by the first strategy + 2 more by the second = 4 on the account.
    const refused = await hook(second, { ticker: 'RTY1!', action: 'buy', quantity: 2 });
    expect((await eventLog(second, refused.body.eventId)).message).toMatch(
      /risk limit: account "capped account" may hold at most 3 in RTY1!; this order would make it 4/,
    );
    // A short of 1 takes the account to 1 net: allowed.
    const short = await hook(second, { ticker: 'RTY1!', action: 'sell', quantity: 1 });
    expect((await eventLog(second, short.body.eventId)).message).toMatch(/sell 1 RTY1! market → filled/);
  });

  it("holds an account to its orders a minute when its strategies' alerts arrive at once", async () => {
    const { outcomes } = await burst(
      'rate capped',
      { brokerAccountId: 'rate-capped', risk: { maxOrdersPerMinute: 3 } },
      'MYM1!',
      47000,
      47001,
    );
    const filled = outcomes.filter((l) => /buy 1 MYM1! market → filled/.test(l.message));
    const refused = outcomes.filter((l) => /risk limit: account "rate capped" may place at most 3 orders a minute/.test(l.message));
    expect([filled.length, refused.length]).toEqual([3, 5]);
  });

  it("holds an account to its position limit when its strategies' alerts arrive at once", async () => {
    const { account, strategies, outcomes } = await burst(
      'size capped',
      { brokerAccountId: 'size-capped', risk: { maxPositionSize: 3 } },
      'M2K1!',
      2400,
      2400.1,
    );
    const filled = outcomes.filter((l) => /buy 1 M2K1! market → filled/.test(l.message));
    expect(filled).toHaveLength(3);
    const positions = (await http(server.url, 'GET', `/api/positions?accountId=${account.id}`)).body as any[];
    expect(positions.reduce((sum, p) => sum + p.quantity, 0)).toBe(3);
    const refused = outcomes.filter((l) => /may hold at most 3 in M2K1!; this order would make it 4/.test(l.message));
    expect(refused).toHaveLength(5);
    // Filled orders stop counting as in flight: one strategy closing makes room for one more.
    const holder = strategies[outcomes.findIndex((l) => filled.includes(l))];
    const waiting = strategies[outcomes.findIndex((l) => refused.includes(l))];
    const exit = await hook(holder, { ticker: 'M2K1!', action: 'exit' });
    expect((await eventLog(holder, exit.body.eventId)).message).toMatch(/sell 1 M2K1! market → filled/);
    const again = await hook(waiting, { ticker: 'M2K1!', action: 'buy', quantity: 1 });
    expect((await eventLog(waiting, again.body.eventId)).message).toMatch(/buy 1 M2K1! market → filled/);
    const more = await hook(holder, { ticker: 'M2K1!', action: 'buy', quantity: 1 });
    expect((await eventLog(holder, more.body.eventId)).message).toMatch(/may hold at most 3 in M2K1!; this order would make it 4/);
  });

  it("holds an account to its prop-firm contract limit when its strategies' alerts arrive at once", async () => {
    // Rules set before any order: the account starts with none, so the burst meets them.
    const { outcomes } = await burst('prop burst', { brokerAccountId: 'prop-burst' }, 'ES1!', 6800, 6800.25, async (account) => {
      const rules = await http(server.url, 'PUT', `/api/accounts/${account.id}/rules`, {
        rules: { startingBalance: 50000, timeZone: 'UTC', dayStart: '00:00', contracts: { max: 3, microsPerMini: 10 } },
      });
      expect(rules.status).toBe(200);
    });
    expect(outcomes.filter((l) => /buy 1 ES1! market → filled/.test(l.message))).toHaveLength(3);
    expect(outcomes.filter((l) => /account rules: max contracts/.test(l.message))).toHaveLength(5);
  });

  it('only lets closing orders through outside the trading window', async () => {
    // A window that is closed right now, whatever the time: one minute long, an hour away.
    const now = new Date();
    const at = (offset: number) => {
      const d = new Date(now.getTime() + offset * 60_000);
      return `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
    };
    const s = await create('after hours', { tradingWindow: { start: at(60), end: at(61) }, timeZone: 'UTC' });
    market.publish(quote('MES1!', 6800, 6800.25));
    const buy = await hook(s, { ticker: 'MES1!', action: 'buy', quantity: 1 });
    expect((await eventLog(s, buy.body.eventId)).message).toMatch(/risk limit: strategy "after hours" trades only between/);
  });

  it('halts once on the daily loss limit (flatten, cancel, disable) and lifts the halt when the next trading day begins', async () => {
    const s = await create('loser', { maxDailyLoss: 100 });
    market.publish(quote('NQ1!', 25000, 25000.25));
    const buy = await hook(s, { ticker: 'NQ1!', action: 'buy', quantity: 1 });
    await eventLog(s, buy.body.eventId);
    // A resting order the halt must cancel.
    await http(server.url, 'POST', '/api/orders', {
      strategyId: s.id,
      ticker: 'NQ1!',
      side: 'buy',
      quantity: 1,
      type: 'limit',
      limitPrice: 24000,
    });
    // (24975 − 25000.25) / 0.25 = −101 ticks × $5 = −$505 today.
    market.publish(quote('NQ1!', 24975, 24975.25));
    const halted = await eventually(
      async () => {
        const detail = (await http(server.url, 'GET', `/api/strategies/${s.id}`)).body;
        return detail.enabled === false && detail.haltedUntil ? detail : undefined;
      },
      15000,
      'the halt',
    );
    expect(halted.statusReason).toMatch(/^max daily loss of \$100 hit \(today -505\.00\)/);
    const calendar = TradingCalendar.of(server.config.pnl.timeZone, server.config.pnl.dayStart);
    const nextDay = calendar.startOf(addDays(calendar.dateOf(Date.now()), 1));
    expect(Date.parse(halted.haltedUntil)).toBe(nextDay);
    await eventually(async () => (await http(server.url, 'GET', `/api/positions?strategyId=${s.id}`)).body.length === 0, 10000, 'flat');
    const all = (await http(server.url, 'GET', `/api/orders?strategyId=${s.id}&limit=100`)).body.items as any[];
    expect(all.filter((o) => o.status === 'working')).toEqual([]);
    // Quotes keep coming and P&L keeps being pushed: still one halt, one flatten.
    market.publish(quote('NQ1!', 24970, 24970.25));
    await new Promise((r) => setTimeout(r, 1500));
    const flattens = ((await http(server.url, 'GET', `/api/orders?strategyId=${s.id}&limit=100`)).body.items as any[]).filter((o) =>
      o.clientOrderId.startsWith('halt:'),
    );
    expect(flattens).toHaveLength(1);
    const logs = (await http(server.url, 'GET', `/api/logs?strategyId=${s.id}&level=error&limit=50`)).body as any[];
    expect(logs.filter((l) => /max daily loss/.test(l.message))).toHaveLength(1);
    expect((await hook(s, { ticker: 'NQ1!', action: 'buy' })).status).toBe(409);

    await server.app.get(RiskMonitor).tick(nextDay + 1);
    const resumed = (await http(server.url, 'GET', `/api/strategies/${s.id}`)).body;
    expect([resumed.enabled, resumed.status, resumed.haltedUntil]).toEqual([true, 'enabled', null]);
  });

  it('refuses limits it cannot read, naming the field', async () => {
    const response = await http(server.url, 'POST', '/api/strategies', { name: 'bad limits', risk: { maxDailyLoss: 'lots' } });
    expect(response.status).toBe(400);
    expect(response.body.message).toBe('risk.maxDailyLoss must be a number greater than 0, got "lots"');
  });
});

describe('manual trader and the kill switch', () => {
  let server: TestServer;
  let market: MarketService;
  let paper: string;

  beforeAll(async () => {
    server = await controlsServer();
    market = server.app.get(MarketService);
    paper = (await http(server.url, 'GET', '/api/accounts')).body[0].id;
  });
  afterAll(() => server.close());

  const positions = async () => (await http(server.url, 'GET', `/api/positions?accountId=${paper}`)).body as any[];

  it('places manual orders with a bracket, reverses, and flattens with nothing left working', async () => {
    market.publish(quote('CL1!', 75.0, 75.01));
    const order = await http(server.url, 'POST', '/api/orders', {
      accountId: paper,
      ticker: 'CL1!',
      side: 'buy',
      quantity: 2,
      takeProfit: { ticks: 50 },
      stopLoss: { ticks: 25 },
    });
    expect(order.status).toBe(201);
    expect([order.body.status, order.body.avgFillPrice, order.body.strategyId]).toEqual(['filled', 75.01, null]);
    const working = async () =>
      ((await http(server.url, 'GET', `/api/orders?accountId=${paper}&status=working`)).body.items as any[]).length;
    await eventually(async () => (await working()) === 2, 5000, 'bracket legs');

    const reversed = await http(server.url, 'POST', '/api/positions/reverse', { accountId: paper, ticker: 'CL1!' });
    expect([reversed.body.side, reversed.body.quantity]).toEqual(['sell', 4]);
    expect((await positions()).map((p) => [p.ticker, p.quantity])).toEqual([['CL1!', -2]]);
    // The long's take profit and stop went with it: left working, they would sell into the short.
    expect(await working()).toBe(0);

    const flat = await http(server.url, 'POST', '/api/positions/flatten', { accountId: paper });
    expect(flat.status).toBe(200);
    expect(flat.body.orders.map((o: any) => [o.side, o.quantity, o.status])).toEqual([['buy', 2, 'filled']]);
    expect(await positions()).toEqual([]);
    expect(await working()).toBe(0);
  });

  it("reverses a strategy's position with its bracket's exits cancelled, and no other strategy's orders touched", async () => {
    market.publish(quote('ES1!', 6800, 6800.25));
    const bracketed = (
      await http(server.url, 'POST', '/api/strategies', { name: 'reversed', exits: { takeProfit: { ticks: 40 }, stopLoss: { ticks: 20 } } })
    ).body;
    const bystander = (await http(server.url, 'POST', '/api/strategies', { name: 'bystander' })).body;
    const workingOf = async (id: string) =>
      ((await http(server.url, 'GET', `/api/orders?strategyId=${id}&status=working`)).body.items as any[]).map((o) => o.type);
    await http(server.url, 'POST', `/webhooks/${bystander.webhookToken}`, {
      ticker: 'ES1!',
      action: 'buy',
      orderType: 'limit',
      limitPrice: 6700,
    });
    await http(server.url, 'POST', `/webhooks/${bracketed.webhookToken}`, { ticker: 'ES1!', action: 'buy', quantity: 1 });
    await eventually(async () => (await workingOf(bracketed.id)).length === 2, 5000, 'the bracket working');
    await eventually(async () => (await workingOf(bystander.id)).length === 1, 5000, "the bystander's limit working");

    const reversed = await http(server.url, 'POST', '/api/positions/reverse', { strategyId: bracketed.id, ticker: 'ES1!' });
    expect([reversed.body.side, reversed.body.quantity, reversed.body.status]).toEqual(['sell', 2, 'filled']);
    expect(await workingOf(bracketed.id)).toEqual([]);
    expect(await workingOf(bystander.id)).toEqual(['limit']);
    const held = (await http(server.url, 'GET', `/api/positions?strategyId=${bracketed.id}`)).body as any[];
    expect(held.map((p) => p.quantity)).toEqual([-1]);
    // Nothing held: refused, and nothing cancelled on the way.
    const flat = await http(server.url, 'POST', '/api/positions/reverse', { strategyId: bystander.id, ticker: 'ES1!' });
    expect(flat.status).toBe(409);
    expect(await workingOf(bystander.id)).toEqual(['limit']);
    // The account is the next tests' too: left as it was found.
    for (const id of [bracketed.id, bystander.id]) await http(server.url, 'POST', '/api/positions/flatten', { strategyId: id });
    expect(await workingOf(bystander.id)).toEqual([]);
    for (const id of [bracketed.id, bystander.id]) expect((await http(server.url, 'DELETE', `/api/strategies/${id}`)).status).toBe(204);
  });

  it("measures a manual limit order's exits from its limit price, as an alert's, even when it fills better", async () => {
    market.publish(quote('MNQ1!', 18500, 18500.25));
    const order = await http(server.url, 'POST', '/api/orders', {
      accountId: paper,
      ticker: 'MNQ1!',
      side: 'buy',
      quantity: 1,
      type: 'limit',
      limitPrice: 18490,
      takeProfit: { percent: 0.1 },
      stopLoss: { ticks: 20 },
    });
    expect(order.body.status).toBe('working');
    // The market gaps through the limit: the paper broker fills at the better ask, 18489.
    market.publish(quote('MNQ1!', 18488.75, 18489));
    const legs = await eventually(
      async () => {
        const items = (await http(server.url, 'GET', `/api/orders?accountId=${paper}&limit=20`)).body.items as any[];
        const tp = items.find((o) => o.clientOrderId === `${order.body.clientOrderId}:tp1`);
        const sl = items.find((o) => o.clientOrderId === `${order.body.clientOrderId}:sl1`);
        return tp && sl ? { tp, sl, entry: items.find((o) => o.id === order.body.id) } : undefined;
      },
      5000,
      'bracket legs',
    );
    expect(legs.entry.avgFillPrice).toBe(18489);
    // From 18490: 0.1 % is 18.49 → 18508.49, down onto the grid 18508.25; 20 ticks below is 18485.
    expect([legs.tp.type, legs.tp.limitPrice, legs.sl.type, legs.sl.stopPrice]).toEqual(['limit', 18508.25, 'stop', 18485]);
    await http(server.url, 'POST', '/api/positions/flatten', { accountId: paper, ticker: 'MNQ1!' });
    expect(await positions()).toEqual([]);
  });

  it('answers bad manual orders in words', async () => {
    const none = await http(server.url, 'POST', '/api/orders', { ticker: 'NQ1!', side: 'buy', quantity: 1 });
    expect(none.body.message).toBe('accountId or strategyId is required');
    const fraction = await http(server.url, 'POST', '/api/orders', { accountId: paper, ticker: 'NQ1!', side: 'buy', quantity: 1.5 });
    expect(fraction.body.message).toBe('quantity must be a whole number of contracts for NQ1!, got 1.5');
    const limit = await http(server.url, 'POST', '/api/orders', {
      accountId: paper,
      ticker: 'NQ1!',
      side: 'buy',
      quantity: 1,
      type: 'limit',
    });
    expect(limit.body.message).toBe('limitPrice is required for a limit order');
    // An exit past what an alert may say is refused here too: a 500 % stop is below zero.
    const belowZero = await http(server.url, 'POST', '/api/orders', {
      accountId: paper,
      ticker: 'NQ1!',
      side: 'buy',
      quantity: 1,
      stopLoss: { percent: 500 },
    });
    expect([belowZero.status, belowZero.body.message]).toEqual([400, 'stopLoss.percent must be at most 99.99, got 500']);
    const reverse = await http(server.url, 'POST', '/api/positions/reverse', { accountId: paper, ticker: 'GC1!' });
    expect(reverse.status).toBe(409);
  });

  it('kill switch: every strategy disabled, nothing working, nothing open, new exposure refused until released', async () => {
    const a = (await http(server.url, 'POST', '/api/strategies', { name: 'a' })).body;
    const b = (await http(server.url, 'POST', '/api/strategies', { name: 'b' })).body;
    market.publish(quote('NQ1!', 25000, 25000.25));
    market.publish(quote('ES1!', 6800, 6800.25));
    for (const [s, ticker] of [
      [a, 'NQ1!'],
      [b, 'ES1!'],
    ] as const) {
      await http(server.url, 'POST', `/webhooks/${s.webhookToken}`, { ticker, action: 'buy', quantity: 1 });
    }
    await http(server.url, 'POST', `/webhooks/${a.webhookToken}`, {
      ticker: 'NQ1!',
      action: 'buy',
      quantity: 1,
      orderType: 'limit',
      limitPrice: 24000,
    });
    await http(server.url, 'POST', '/api/orders', { accountId: paper, ticker: 'ES1!', side: 'sell', quantity: 3 });
    await eventually(async () => (await positions()).length === 3, 10000, 'three positions');
    await eventually(
      async () => (await http(server.url, 'GET', `/api/orders?status=working`)).body.total === 1,
      10000,
      'the resting order',
    );

    const killed = await http(server.url, 'POST', '/api/kill-switch', { reason: 'test' });
    expect(killed.status).toBe(200);
    expect(killed.body).toEqual(expect.objectContaining({ engaged: true, strategiesDisabled: 2, cancelled: 1 }));
    expect(await positions()).toEqual([]);
    expect((await http(server.url, 'GET', '/api/orders?status=working')).body.total).toBe(0);
    const strategies = (await http(server.url, 'GET', '/api/strategies')).body as any[];
    expect(strategies.every((s) => !s.enabled && /^kill switch/.test(s.statusReason))).toBe(true);

    const refused = await http(server.url, 'POST', '/api/orders', { accountId: paper, ticker: 'NQ1!', side: 'buy', quantity: 1 });
    expect([refused.body.status, refused.body.reason]).toEqual([
      'rejected',
      'risk limit: the kill switch is engaged: only orders that reduce a position are allowed',
    ]);
    expect((await http(server.url, 'GET', '/api/kill-switch')).body.engaged).toBe(true);
    expect((await http(server.url, 'DELETE', '/api/kill-switch')).body.engaged).toBe(false);
    const allowed = await http(server.url, 'POST', '/api/orders', { accountId: paper, ticker: 'NQ1!', side: 'buy', quantity: 1 });
    expect(allowed.body.status).toBe('filled');
  });
});
