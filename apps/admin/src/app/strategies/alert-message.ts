/**
 * The alert message to paste into TradingView for a strategy: its placeholders render the order
 * of a Pine strategy; positionSize lets a missed alert heal at the next one.
 */
export function alertMessage(): string {
  return JSON.stringify(
    {
      ticker: '{{ticker}}',
      action: '{{strategy.order.action}}',
      quantity: '{{strategy.order.contracts}}',
      price: '{{strategy.order.price}}',
      positionSize: '{{strategy.position_size}}',
      id: '{{strategy.order.id}}-{{timenow}}',
      comment: '{{strategy.order.comment}}',
    },
    null,
    2,
  );
}
