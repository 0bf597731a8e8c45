import { toDollars } from '@tradeloop/domain';

export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
export { toDollars };
