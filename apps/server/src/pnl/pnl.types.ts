/** What a P&L record is about: one strategy, one account, or every strategy together (id ''). */
export type PnlScopeKind = 'strategy' | 'account' | 'all';
/** Rollup tiers, finest first; per-second points live in their own table. */
export type BarResolution = '1m' | '1h' | '1d';
