import type { IsoTime } from '@tradeloop/contracts';
import { toDollars } from '@tradeloop/domain';

/** An instant as the API writes it; null stays null. */
export function iso(ms: number): IsoTime;
export function iso(ms: number | null): IsoTime | null;
export function iso(ms: number | null): IsoTime | null {
  return ms === null ? null : new Date(ms).toISOString();
}
export { toDollars };
