import type { PnlScope } from '@tradeloop/contracts';

/** What a P&L record is about: one strategy, one account, or every strategy together ('all', id ''). */
export type PnlScopeKind = PnlScope;
/** Rollup tiers, finest first; per-second points live in their own table. */
export type BarResolution = '1m' | '1h' | '1d';
