// Webhook filter: trade TradingView's alerts only inside a session window, and never hold more
// than `maxPosition` contracts either way. Alerts outside the window are logged and dropped.

/** Minutes after midnight UTC of "HH:MM". */
const minutes = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
};

/** True when `time` falls in [start, end) UTC; a window may wrap past midnight (e.g. 22:00-04:00). */
function inSession(time: number, start: string, end: string): boolean {
  const date = new Date(time);
  const now = date.getUTCHours() * 60 + date.getUTCMinutes();
  const from = minutes(start);
  const to = minutes(end);
  return from <= to ? now >= from && now < to : now >= from || now < to;
}

export default defineStrategy({
  params: {
    /** UTC; 13:30-20:00 is the New York cash session outside daylight saving time. */
    sessionStart: '13:30',
    sessionEnd: '20:00',
    /** Largest position either way, in contracts. */
    maxPosition: 2,
    /** Contracts per alert that names none. */
    defaultQuantity: 1,
  },

  onWebhook(alert, ctx) {
    const { sessionStart, sessionEnd, maxPosition, defaultQuantity } = ctx.params;
    // TradingView's {{timenow}} when the alert carries it, else the time the alert arrived.
    const time = alert.time ? Date.parse(alert.time) : ctx.now();
    if (!inSession(Number.isNaN(time) ? ctx.now() : time, sessionStart, sessionEnd)) {
      ctx.log('info', `outside ${sessionStart}-${sessionEnd} UTC: ${alert.action ?? 'alert'} ignored`);
      return;
    }
    // With what its orders still on their way will add, so two alerts a moment apart stay under the cap.
    const { quantity: filled, pending } = ctx.position(alert.ticker);
    const held = filled + pending;
    switch (alert.action) {
      case 'exit':
        ctx.flatten(alert.ticker);
        return;
      case 'cancel':
        ctx.cancelAll(alert.ticker);
        return;
      case 'buy':
      case 'sell': {
        const wanted = alert.quantity ?? defaultQuantity;
        // Room left before the cap, on the side the alert trades.
        const room = alert.action === 'buy' ? maxPosition - held : maxPosition + held;
        const quantity = Math.min(wanted, room);
        if (quantity <= 0) {
          ctx.log('info', `${alert.action} ${wanted} ignored: position ${held} is at the cap of ${maxPosition}`);
          return;
        }
        if (quantity < wanted) ctx.log('info', `${alert.action} ${wanted} capped to ${quantity} (cap ${maxPosition})`);
        if (alert.action === 'buy') ctx.buy(alert.ticker, quantity);
        else ctx.sell(alert.ticker, quantity);
        return;
      }
      default:
        ctx.log('warn', `action ${alert.action ?? '(none)'} is not handled`);
    }
  },
});
