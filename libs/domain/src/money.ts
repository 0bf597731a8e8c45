/** Dollars to integer cents; rounds half away from zero after removing binary noise (1.005 → 101). */
export const toCents = (dollars: number): number => {
  const cents = Number((dollars * 100).toPrecision(15));
  if (!Number.isFinite(cents)) throw new Error(`amount must be a finite number of dollars, got ${dollars}`);
  return Math.sign(cents) * Math.round(Math.abs(cents)) + 0; // + 0: never −0
};

export const toDollars = (cents: number): number => cents / 100;
