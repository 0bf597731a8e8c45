// Bracket orders for every alert: each entry gets a take profit and a stop loss, in ticks from its
// fill price, placed by the server once the entry fills; when one fills, the other is cancelled.
// `exit` closes the position and cancels both.

export default defineStrategy({
  params: {
    quantity: 1,
    takeProfitTicks: 16,
    stopLossTicks: 8,
  },
  state: { wins: 0, losses: 0 },

  onWebhook(alert, ctx) {
    const { quantity, takeProfitTicks, stopLossTicks } = ctx.params;
    const bracket = { takeProfit: { ticks: takeProfitTicks }, stopLoss: { ticks: stopLossTicks } };
    const qty = alert.quantity ?? quantity;
    if (alert.action === 'exit') return ctx.flatten(alert.ticker);
    if (alert.action === 'cancel') return ctx.cancelAll(alert.ticker);
    // One bracket at a time: a new entry while one is working (or its entry is still on its way) would stack them.
    const { quantity: filled, pending } = ctx.position(alert.ticker);
    if (filled + pending !== 0) {
      ctx.log('info', `${alert.action} ignored: a bracket is already open in ${alert.ticker}`);
      return;
    }
    if (alert.action === 'buy') ctx.buy(alert.ticker, qty, bracket);
    if (alert.action === 'sell') ctx.sell(alert.ticker, qty, bracket);
  },

  onFill(fill, ctx) {
    if (fill.role === 'takeProfit') ctx.state.wins += 1;
    if (fill.role === 'stopLoss') ctx.state.losses += 1;
    if (fill.role !== 'order') {
      ctx.log('info', `${fill.role} filled at ${fill.price}: ${ctx.state.wins} won, ${ctx.state.losses} lost, P&L ${ctx.pnl().realized}`);
    }
  },
});
