/**
 * The pure pieces of the simulated feed: a seeded PRNG, the random-walk step and the price levels.
 * Prices live as whole numbers of ticks; only `ticksToPrice` turns them into dollars.
 */

/** A random number source in [0, 1), like Math.random. */
export type Random = () => number;

/** mulberry32: a tiny, fast 32-bit seeded PRNG, good enough for a price simulation. */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a: a string to an unsigned 32-bit hash. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The seed of one ticker's stream: depends on the seed and the ticker only, never on subscription order. */
export const streamSeed = (seed: number, ticker: string): number => hashString(`${seed}:${ticker}`);

/** Late-2026 levels of the catalog's futures roots. */
export const FUTURES_LEVELS: Readonly<Record<string, number>> = {
  NQ: 25300,
  MNQ: 25300,
  ES: 6800,
  MES: 6800,
  YM: 47500,
  MYM: 47500,
  RTY: 2450,
  M2K: 2450,
  CL: 60.5,
  MCL: 60.5,
  GC: 4100,
  MGC: 4100,
};

/** The level a ticker trades around: the table for known futures roots, else 50.00–500.00 derived from the symbol. */
export function basePrice(root: string): number {
  const known = FUTURES_LEVELS[root.toUpperCase()];
  if (known !== undefined) return known;
  return 50 + (hashString(root.toUpperCase()) % 45001) / 100;
}

/** Decimal places of a tick size (0.25 → 2, 0.1 → 1, 1 → 0, 0.00005 → 5), at most 12. */
export function tickDecimals(tickSize: number): number {
  const text = String(tickSize);
  const exponent = /e-(\d+)$/i.exec(text);
  if (exponent) {
    const mantissa = text.slice(0, exponent.index);
    const mantissaDecimals = mantissa.includes('.') ? mantissa.split('.')[1]!.length : 0;
    return Math.min(12, Number(exponent[1]) + mantissaDecimals);
  }
  return Math.min(12, text.includes('.') ? text.split('.')[1]!.length : 0);
}

/** A whole number of ticks as a price on the tick grid, with no float noise (101201 × 0.25 → 25300.25). */
export const ticksToPrice = (ticks: number, tickSize: number, decimals = tickDecimals(tickSize)): number =>
  Number((ticks * tickSize).toFixed(decimals));

/** Walk parameters for one ticker, all in ticks. */
export interface WalkParams {
  /** The level the walk reverts to. */
  anchorTicks: number;
  /** Pull back toward the anchor: the expected step is −reversion × (price − anchor). */
  reversion: number;
  /** Lowest bid the walk may reach (≥ 1, so no price is ever ≤ 0). */
  floorTicks: number;
}

/** Chance a quote repeats the previous price. */
const STAY_PROBABILITY = 0.3;
/** Moves are 1..MAX_STEP ticks. */
const MAX_STEP = 3;
/** Mean size of a move, given that it moves. */
const MEAN_MOVE = (MAX_STEP + 1) / 2;
/** Mean square of one step, including the steps that do not move: the walk's variance per step. */
const STEP_VARIANCE = ((1 - STAY_PROBABILITY) * ((MAX_STEP + 1) * (2 * MAX_STEP + 1))) / 6;
/** Steps for the pull toward the anchor to undo ~63% of a deviation (at 4 quotes a second, about 80 minutes). */
const RELAXATION_STEPS = 20000;
/** Typical distance from the anchor never exceeds this share of the price. */
const MAX_SPREAD_SHARE = 0.01;

/**
 * Walk parameters for a level and tick size. The stationary spread around the anchor is
 * √(STEP_VARIANCE × RELAXATION_STEPS / 2) ≈ 180 ticks (NQ: ~45 points), capped at 1% of the price
 * (CL: ~60 cents) so coarse ticks and low prices don't wander off.
 */
export function walkParams(level: number, tickSize: number): WalkParams {
  const anchorTicks = Math.max(100, Math.round(level / tickSize));
  let reversion = 1 / RELAXATION_STEPS;
  const maxSpread = anchorTicks * MAX_SPREAD_SHARE;
  // Stationary variance of this walk ≈ STEP_VARIANCE / (2 × reversion).
  if (STEP_VARIANCE / (2 * reversion) > maxSpread * maxSpread) reversion = STEP_VARIANCE / (2 * maxSpread * maxSpread);
  return { anchorTicks, reversion: Math.min(reversion, 0.5), floorTicks: Math.max(1, Math.floor(anchorTicks / 2)) };
}

/** A start a little off the anchor (within ±0.25%), so seeded runs of different tickers don't all start on round numbers. */
export function startTicks(params: WalkParams, random: Random): number {
  const offset = Math.round((random() * 2 - 1) * params.anchorTicks * 0.0025);
  return Math.max(params.floorTicks, params.anchorTicks + offset);
}

/**
 * One step of the bid, in ticks: stays 30% of the time, else moves 1–3 ticks, more often toward the
 * anchor the further away it is (expected step −reversion × deviation). Never below the floor.
 */
export function walkStep(bidTicks: number, params: WalkParams, random: Random): number {
  if (random() < STAY_PROBABILITY) {
    random(); // keep the draws per step constant, so a stream's prices don't depend on where the stays fall
    random();
    return Math.max(params.floorTicks, bidTicks);
  }
  const size = 1 + Math.floor(random() * MAX_STEP);
  // Expected move = (1 − stay) × MEAN_MOVE × (1 − 2 × pDown) = −reversion × deviation.
  const bias = (params.reversion * (bidTicks - params.anchorTicks)) / (2 * (1 - STAY_PROBABILITY) * MEAN_MOVE);
  const pDown = 0.5 + Math.max(-0.45, Math.min(0.45, bias));
  const next = random() < pDown ? bidTicks - size : bidTicks + size;
  return Math.max(params.floorTicks, next);
}
