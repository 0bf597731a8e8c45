/** Dollars to integer cents; rounds half away from zero after removing binary noise (1.005 → 101). */
export const toCents = (dollars: number): number => {
  const cents = Number((dollars * 100).toPrecision(15));
  if (!Number.isFinite(cents)) throw new Error(`amount must be a finite number of dollars, got ${dollars}`);
  return Math.sign(cents) * Math.round(Math.abs(cents)) + 0; // + 0: never −0
};

export const toDollars = (cents: number): number => cents / 100;

/**
 * Cents as a trader reads dollars: `$1,234.56`, `-$412.00`. Integer arithmetic only, so a message
 * never shows binary noise; the same text in every locale, so a notification reads the same
 * wherever the server runs.
 */
export function formatMoney(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new Error(`amount must be a whole number of cents, got ${cents}`);
  const abs = Math.abs(cents);
  const dollars = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${cents < 0 ? '-' : ''}$${dollars}.${String(abs % 100).padStart(2, '0')}`;
}
