import type { FlattenResult } from '@tradeloop/contracts';

/**
 * Closes every position of an account and cancels its working orders, as the trader's own
 * flatten does. Account rules sit below trading and only ask for it; the trading module, which
 * owns flatten, provides this app-wide.
 */
export abstract class AccountFlattener {
  /** `cause` makes the closing orders' ids, so asking twice for the same cause places nothing twice. */
  abstract flattenAccount(accountId: string, reason: string, cause: string): Promise<FlattenResult>;
}
