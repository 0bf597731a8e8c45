/**
 * What `order/placeorder`, `order/placeOSO`, `order/liquidateposition` (PlaceOrderResult,
 * PlaceOsoResult) and `order/cancelorder` (CommandResult) answer. `failureReason` is an enum whose
 * documented values include `"Success"`: a command that succeeded may carry it.
 */
export interface CommandAnswer {
  failureReason?: string | null;
  failureText?: string | null;
  orderId?: number | null;
  oso1Id?: number | null;
  oso2Id?: number | null;
  commandId?: number | null;
}

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

/** Tradovate's own words for a refusal: `failureText: failureReason`. */
export const words = (...parts: (string | null | undefined)[]): string =>
  parts
    .map(text)
    .filter((p) => p !== '')
    .join(': ');

/**
 * Why Tradovate did not carry out a command, in its words, or undefined when it did. `needs` names
 * the id a successful answer must hold (`orderId` for a new order); a failure reason other than
 * `Success` is a refusal whatever else the answer holds.
 */
export function refusalOf(answer: unknown, needs: 'orderId' | 'any-id'): string | undefined {
  if (typeof answer === 'string') return answer.trim() || 'an empty answer';
  if (typeof answer !== 'object' || answer === null) return 'no answer';
  const a = answer as CommandAnswer;
  const reason = text(a.failureReason);
  const failureText = text(a.failureText);
  if (reason && reason !== 'Success') return words(failureText, reason);
  const hasId = needs === 'orderId' ? typeof a.orderId === 'number' : typeof a.orderId === 'number' || typeof a.commandId === 'number';
  if (hasId) return undefined;
  if (reason === 'Success' && needs === 'any-id' && !failureText) return undefined;
  return failureText || (needs === 'orderId' ? 'no order id in the answer' : 'no command id in the answer');
}
