// Tick-driven breakout with a trailing stop, long only: buy when the ask clears the highest bid of
// the last `lookback` quotes, then trail a stop `trailTicks` below the best bid since the entry and
// close the position when the bid touches it. It trades the ticker in `tickers` (edit it there).

/**
 * The last `lookback` bids, oldest first. Module-level: cheap (ctx.state is saved after every call
 * that changes it), and fine to lose when the isolate is rebuilt: it fills again in a few quotes.
 */
const bids: number[] = [];

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
    /** Best bid since the entry; 0 while flat. In ctx.state, so the stop survives a restart. */
    peak: 0,
  },

  onTick(quote, ctx) {
    const { quantity, lookback, trailTicks } = ctx.params;
    const ticker = quote.ticker;
    // With what its orders still on their way will add: a quote that comes before the entry's fill
    // does not buy again, nor one before the exit's fill sell again.
    const { quantity: filled, pending } = ctx.position(ticker);
    const held = filled + pending;

    if (held > 0) {
      const peak = Math.max(ctx.state.peak, quote.bid);
      const stop = peak - trailTicks * quote.step;
      if (quote.bid <= stop) {
        ctx.log('info', `exit: bid ${quote.bid} <= stop ${stop} (peak ${peak})`);
        ctx.flatten(ticker);
        ctx.state.peak = 0;
        bids.length = 0;
        return;
      }
      if (peak !== ctx.state.peak) ctx.state.peak = peak;
    } else if (bids.length >= lookback) {
      const high = Math.max(...bids);
      if (quote.ask > high) {
        ctx.log('info', `breakout: ask ${quote.ask} > ${lookback}-quote high ${high}`);
        ctx.buy(ticker, quantity);
        ctx.state.peak = quote.bid;
      }
    }
    bids.push(quote.bid);
    if (bids.length > lookback) bids.shift();
  },

  onFill(fill, ctx) {
    // The entry's fill price starts the trail, if the market has not moved above it already.
    if (fill.side === 'buy') ctx.state.peak = Math.max(ctx.state.peak, fill.price);
  },
});
