import { bracketPreview, lateRefusal, openPnl, orderRequest, positionText, spreadTicks, type OrderForm } from './trader-math';

const nq = { bid: 25000, ask: 25000.25, step: 0.25, tickValue: 5 };
const cl = { bid: 71.42, ask: 71.45, step: 0.01, tickValue: 10 };

describe('spreadTicks', () => {
  it('counts whole ticks between bid and ask, whatever float dust the prices carry', () => {
    expect(spreadTicks(nq)).toBe(1);
    expect(spreadTicks(cl)).toBe(3); // 71.45 − 71.42 is 0.030000000000001137
    expect(spreadTicks({ bid: 6800, ask: 6800, step: 0.25 })).toBe(0);
  });

  it('is unknown without a quote or a tick size', () => {
    expect(spreadTicks(null)).toBeNull();
    expect(spreadTicks({ bid: 1, ask: 2, step: 0 })).toBeNull();
  });
});

describe('openPnl', () => {
  it('marks a long at the bid: (25010 − 25000.25) / 0.25 × $5 × 2 = +$390', () => {
    expect(openPnl(2, 25000.25, { ...nq, bid: 25010, ask: 25010.25 })).toBe(390);
  });

  it('marks a short at the ask: 3 short of CL at 71.50, ask 71.45 → 5 ticks × $10 × 3 = +$150', () => {
    expect(openPnl(-3, 71.5, cl)).toBe(150);
  });

  it('loses on a long when the bid is below the entry', () => {
    expect(openPnl(1, 25001, nq)).toBe(-20);
  });

  it('agrees with the lot-by-lot mark when the average falls between ticks', () => {
    // Long 1 at 25000 and 1 at 25000.25 (average 25000.125), bid 25010: 40 + 39 ticks × $5 = $395.
    expect(openPnl(2, 25000.125, { ...nq, bid: 25010, ask: 25010.25 })).toBe(395);
    // Short 3 of CL at 71.50, 71.51, 71.53 (average 71.5133…), ask 71.45: 5 + 6 + 8 ticks × $10 = $190.
    expect(openPnl(-3, (71.5 + 71.51 + 71.53) / 3, cl)).toBe(190);
  });

  it('puts the mark on the tick grid first, so a cent never leaks', () => {
    // 0.1 tick of M2K-like dust: 2100.03 vs entry 2100.00 at step 0.1 is 0 ticks.
    expect(openPnl(1, 2100, { bid: 2100.03, ask: 2100.13, step: 0.1, tickValue: 0.5 })).toBe(0);
    // Stocks: $0.01 a step per share; 10 shares up $1.23.
    expect(openPnl(10, 100, { bid: 101.23, ask: 101.24, step: 0.01, tickValue: 0.01 })).toBe(12.3);
  });

  it('is zero when flat and unknown (null, not zero) without a quote or an entry price', () => {
    expect(openPnl(0, null, null)).toBe(0);
    expect(openPnl(2, 25000, null)).toBeNull();
    expect(openPnl(2, null, nq)).toBeNull();
    expect(Object.is(openPnl(-1, 25000.25, nq), -0)).toBe(false);
  });
});

describe('bracketPreview', () => {
  const market = { type: 'market' as const, price: null };

  it('previews a market order from its fill, at today’s ask for a buy and bid for a sell', () => {
    // NQ ask 25000.25: take profit 40 ticks up 25010.25, stop 20 down 24995.25.
    expect(bracketPreview('buy', market, nq, 40, 20)).toEqual({ takeProfit: 25010.25, stopLoss: 24995.25, from: 'fill' });
    // NQ bid 25000: a short's take profit 40 ticks down 24990, stop 20 up 25005.
    expect(bracketPreview('sell', market, nq, 40, 20)).toEqual({ takeProfit: 24990, stopLoss: 25005, from: 'fill' });
    // CL bid 71.42: 10 ticks down 71.32, 5 up 71.47.
    expect(bracketPreview('sell', market, cl, 10, 5)).toEqual({ takeProfit: 71.32, stopLoss: 71.47, from: 'fill' });
  });

  it('measures a limit or stop order’s exits from its own price, as the server does', () => {
    // Buy limit 24990 while the ask is 25000.25: from 24990, not from the ask.
    expect(bracketPreview('buy', { type: 'limit', price: 24990 }, nq, 40, 20)).toEqual({
      takeProfit: 25000,
      stopLoss: 24985,
      from: 'price',
    });
    // Sell stop at 71.30 on CL: take profit 10 ticks down 71.20, stop 5 up 71.35.
    expect(bracketPreview('sell', { type: 'stop', price: 71.3 }, cl, 10, 5)).toEqual({ takeProfit: 71.2, stopLoss: 71.35, from: 'price' });
  });

  it('rounds onto the grid toward the entry: a limit typed off the grid', () => {
    // Buy limit 100.123 on a stock: 10 ticks up 100.223 → 100.22, 10 down 100.023 → 100.03.
    const stock = { bid: 100.1, ask: 100.11, step: 0.01 };
    expect(bracketPreview('buy', { type: 'limit', price: 100.123 }, stock, 10, 10)).toEqual({
      takeProfit: 100.22,
      stopLoss: 100.03,
      from: 'price',
    });
  });

  it('leaves out what is not asked for, and previews from the market until a price is typed', () => {
    expect(bracketPreview('buy', market, { bid: 100, ask: 100.01, step: 0.01 }, null, null)).toEqual({
      takeProfit: null,
      stopLoss: null,
      from: 'fill',
    });
    expect(bracketPreview('buy', { type: 'limit', price: null }, nq, 4, null)).toEqual({
      takeProfit: 25001.25,
      stopLoss: null,
      from: 'fill',
    });
  });
});

describe('orderRequest', () => {
  const form: OrderForm = {
    accountId: 'a1',
    ticker: ' nq1! ',
    quantity: 2,
    type: 'market',
    price: null,
    takeProfitTicks: null,
    stopLossTicks: null,
  };

  it('sends a market order with the ticker trimmed and no prices', () => {
    expect(orderRequest(form, 'buy')).toEqual({ order: { accountId: 'a1', ticker: 'nq1!', side: 'buy', quantity: 2, type: 'market' } });
  });

  it('puts the price where the order type wants it', () => {
    expect(orderRequest({ ...form, type: 'limit', price: 24990 }, 'buy')).toEqual({
      order: expect.objectContaining({ type: 'limit', limitPrice: 24990 }),
    });
    const stop = orderRequest({ ...form, type: 'stop', price: 24980 }, 'sell');
    expect(stop).toEqual({ order: expect.objectContaining({ side: 'sell', type: 'stop', stopPrice: 24980 }) });
    expect('order' in stop && 'limitPrice' in stop.order).toBe(false);
  });

  it('adds the brackets in ticks', () => {
    expect(orderRequest({ ...form, takeProfitTicks: 40, stopLossTicks: 20 }, 'sell')).toEqual({
      order: expect.objectContaining({ takeProfit: { ticks: 40 }, stopLoss: { ticks: 20 } }),
    });
  });

  it('says in words what is missing', () => {
    expect(orderRequest({ ...form, accountId: '' }, 'buy')).toEqual({ problem: 'Choose an account.' });
    expect(orderRequest({ ...form, ticker: '  ' }, 'buy')).toEqual({ problem: 'Enter a ticker, e.g. NQ1!.' });
    expect(orderRequest({ ...form, quantity: null }, 'buy')).toEqual({ problem: 'Quantity must be a number greater than 0.' });
    expect(orderRequest({ ...form, quantity: -1 }, 'buy')).toEqual({ problem: 'Quantity must be a number greater than 0.' });
    expect(orderRequest({ ...form, type: 'limit' }, 'buy')).toEqual({ problem: 'A limit order needs a limit price greater than 0.' });
    expect(orderRequest({ ...form, type: 'stop', price: 0 }, 'buy')).toEqual({
      problem: 'A stop order needs a stop price greater than 0.',
    });
    expect(orderRequest({ ...form, takeProfitTicks: 2.5 }, 'buy')).toEqual({
      problem: 'Take profit must be a whole number of ticks greater than 0 (or empty).',
    });
    expect(orderRequest({ ...form, stopLossTicks: -4 }, 'buy')).toEqual({
      problem: 'Stop loss must be a whole number of ticks greater than 0 (or empty).',
    });
  });
});

describe('positionText', () => {
  it('signs the quantity', () => {
    expect([positionText(2), positionText(-1), positionText(0)]).toEqual(['+2', '−1', 'flat']);
  });
});

describe('lateRefusal', () => {
  const order = {
    side: 'buy',
    quantity: 2,
    ticker: 'NQ1!',
    reason: 'Tradovate rejected the order: Max position limit reached — MaxPosLimitReached',
  };

  it('says why a working order the page listed was refused, in the broker’s words', () => {
    expect(lateRefusal(true, { ...order, status: 'rejected' })).toBe(
      'buy 2 NQ1! was refused after it was sent: Tradovate rejected the order: Max position limit reached — MaxPosLimitReached',
    );
  });

  it('says nothing about an order it did not list, or one that ended otherwise', () => {
    expect(lateRefusal(false, { ...order, status: 'rejected' })).toBeNull();
    expect(lateRefusal(true, { ...order, status: 'cancelled' })).toBeNull();
    expect(lateRefusal(true, { ...order, status: 'filled', reason: null })).toBeNull();
  });
});
