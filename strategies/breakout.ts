// Tick-driven breakout with a trailing stop, long only: buy when the ask clears the highest bid of
// the last `lookback` quotes, then trail a stop `trailTicks` below the best bid since the entry and
// close the position when the bid touches it. It trades the ticker in `tickers` (edit it there).

export default defineStrategy({
  params: {
    quantity: 1,
    /** Quotes in the breakout window. */
    lookback: 20,
    /** Distance of the trailing stop from the best bid since the entry, in ticks. */
    trailTicks: 8,
  },
  tickers: ['NQ1!'],
  state: {
    /** The last `lookback` bids, oldest first. */
    bids: [] as number[],
    /** Best bid since the entry; 0 while flat. */
    peak: 0,
  },

  onTick(quote, ctx) {
    const { quantity, lookback, trailTicks } = ctx.params;
    const ticker = quote.ticker;
    const state = ctx.state;
    const held = ctx.position(ticker).quantity;

    if (held > 0) {
      state.peak = Math.max(state.peak, quote.bid);
      const stop = state.peak - trailTicks * quote.step;
      if (quote.bid <= stop) {
        ctx.log('info', `exit: bid ${quote.bid} <= stop ${stop} (peak ${state.peak})`);
        ctx.flatten(ticker);
        state.peak = 0;
        state.bids = [];
        return;
      }
    } else if (state.bids.length >= lookback) {
      const high = Math.max(...state.bids);
      if (quote.ask > high) {
        ctx.log('info', `breakout: ask ${quote.ask} > ${lookback}-quote high ${high}`);
        ctx.buy(ticker, quantity);
        state.peak = quote.bid;
      }
    }
    state.bids.push(quote.bid);
    if (state.bids.length > lookback) state.bids.shift();
  },

  onFill(fill, ctx) {
    // The entry's fill price starts the trail, if the market has not moved above it already.
    if (fill.side === 'buy') ctx.state.peak = Math.max(ctx.state.peak, fill.price);
  },
});
