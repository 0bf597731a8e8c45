/**
 * Tradovate's `ordStatus` values (the Order entity's documented enum) and what each means for an
 * order Tradeloop tracks.
 */
export const ORD_STATUSES = [
  'Canceled',
  'Completed',
  'Expired',
  'Filled',
  'PendingCancel',
  'PendingNew',
  'PendingReplace',
  'Rejected',
  'Suspended',
  'Unknown',
  'Working',
] as const;

export type OrderFate =
  /** Sent, not yet accepted by the exchange (`PendingNew`). */
  | 'pending'
  /** Accepted and alive: working, held until its parent fills (`Suspended`), or being changed or cancelled. */
  | 'live'
  /** Done by filling (`Filled`, or `Completed`, which Tradovate uses for an order that is done). */
  | 'filled'
  | 'cancelled'
  | 'expired'
  | 'rejected'
  /** `Unknown`, or a value the documentation does not list: nothing is concluded from it. */
  | 'unknown';

export function fateOf(ordStatus: string | null | undefined): OrderFate {
  switch (ordStatus) {
    case 'PendingNew':
      return 'pending';
    case 'Working':
    case 'Suspended':
    case 'PendingReplace':
    case 'PendingCancel':
      return 'live';
    case 'Filled':
    case 'Completed':
      return 'filled';
    case 'Canceled':
      return 'cancelled';
    case 'Expired':
      return 'expired';
    case 'Rejected':
      return 'rejected';
    default:
      return 'unknown';
  }
}

/** Still at Tradovate and able to fill: listed among working orders and cancelled by a flatten. */
export const isOpenStatus = (ordStatus: string | null | undefined): boolean => {
  const fate = fateOf(ordStatus);
  return fate === 'pending' || fate === 'live';
};

/** Open, and not already being cancelled: what a flatten has to cancel. */
export const needsCancel = (ordStatus: string | null | undefined): boolean => isOpenStatus(ordStatus) && ordStatus !== 'PendingCancel';
