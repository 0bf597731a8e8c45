/** Characters of an alert's own id quoted in a log line. */
const MAX_ALERT_ID = 40;

/** The short reference of a webhook event in log lines: the first 8 characters of its id. */
export const eventRef = (eventId: string): string => `#${eventId.slice(0, 8)}`;

/**
 * How log lines name an alert, in the trader's words: its short reference, and the id the alert
 * itself carried (TradingView's `{{strategy.order.id}}`, say) when it had one, e.g.
 * `alert #481ca396 "long-entry-1"`. The full event id stays in the log entry's context.
 */
export function alertLabel(event: { id: string; idempotencyKey?: string | null }): string {
  const own = event.idempotencyKey;
  if (!own) return `alert ${eventRef(event.id)}`;
  const clipped = own.length > MAX_ALERT_ID ? `${own.slice(0, MAX_ALERT_ID)}…` : own;
  return `alert ${eventRef(event.id)} ${JSON.stringify(clipped)}`;
}
