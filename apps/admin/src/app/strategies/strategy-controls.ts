import type { ExitSpec, RiskLimits, StrategyExits, StrategyLinkInput, StrategyLinkView } from '@tradeloop/contracts';

/**
 * A strategy's execution controls as its settings form edits them — links (copies to other
 * accounts), default exits and risk limits — and the mapping to and from what the API takes.
 * Number inputs give a number, or null when left empty; empty means "not set".
 */

export interface LinkDraft {
  accountId: string;
  multiplier: number | null;
  symbolOverride: string;
  inverse: boolean;
  enabled: boolean;
}

/** How an exit is measured: the one key of an `ExitSpec`. */
export type ExitKind = ExitSpec extends infer S ? (S extends unknown ? keyof S : never) : never;
export const EXIT_KINDS: readonly ExitKind[] = ['ticks', 'points', 'percent', 'price'];

export interface ExitsDraft {
  takeProfitKind: ExitKind;
  takeProfit: number | null;
  stopLossKind: ExitKind;
  stopLoss: number | null;
  breakEvenTicks: number | null;
  trailingTicks: number | null;
}

export interface RiskDraft {
  maxPositionSize: number | null;
  maxOrderQuantity: number | null;
  maxOrdersPerMinute: number | null;
  maxDailyLoss: number | null;
  maxDailyProfit: number | null;
  /** `HH:MM`, or '' for none. */
  windowStart: string;
  windowEnd: string;
  flattenAt: string;
  /** '' for the trading zone. */
  timeZone: string;
}

export const newLink = (accountId: string): LinkDraft => ({ accountId, multiplier: 1, symbolOverride: '', inverse: false, enabled: true });

export function linkDrafts(links: readonly StrategyLinkView[] | undefined): LinkDraft[] {
  return (links ?? []).map((l) => ({
    accountId: l.accountId,
    multiplier: l.multiplier,
    symbolOverride: l.symbolOverride ?? '',
    inverse: l.inverse,
    enabled: l.enabled,
  }));
}

/** The list to send (it replaces the strategy's links); rows without an account are dropped. */
export function linkInputs(drafts: readonly LinkDraft[]): StrategyLinkInput[] {
  return drafts
    .filter((d) => d.accountId)
    .map((d) => ({
      accountId: d.accountId,
      // Left empty: the server's default (1); anything typed goes as typed, for the server to judge.
      ...(d.multiplier !== null ? { multiplier: d.multiplier } : {}),
      ...(d.symbolOverride.trim() ? { symbolOverride: d.symbolOverride.trim() } : {}),
      inverse: d.inverse,
      enabled: d.enabled,
    }));
}

const kindOf = (spec: ExitSpec | undefined): { kind: ExitKind; value: number | null } => {
  if (!spec) return { kind: 'ticks', value: null };
  const kind = EXIT_KINDS.find((k) => k in spec) ?? 'ticks';
  return { kind, value: (spec as Record<string, number>)[kind] ?? null };
};

export function exitsDraft(exits: StrategyExits | null | undefined): ExitsDraft {
  const tp = kindOf(exits?.takeProfit);
  const sl = kindOf(exits?.stopLoss);
  return {
    takeProfitKind: tp.kind,
    takeProfit: tp.value,
    stopLossKind: sl.kind,
    stopLoss: sl.value,
    breakEvenTicks: exits?.breakEvenTicks ?? null,
    trailingTicks: exits?.trailingTicks ?? null,
  };
}

const set = (value: number | null): value is number => value !== null && Number.isFinite(value);

/** The `exits` to send; null when nothing is set (no default bracket). */
export function exitsInput(draft: ExitsDraft): StrategyExits | null {
  const out: StrategyExits = {};
  if (set(draft.takeProfit)) out.takeProfit = { [draft.takeProfitKind]: draft.takeProfit } as ExitSpec;
  if (set(draft.stopLoss)) out.stopLoss = { [draft.stopLossKind]: draft.stopLoss } as ExitSpec;
  if (set(draft.breakEvenTicks)) out.breakEvenTicks = draft.breakEvenTicks;
  if (set(draft.trailingTicks)) out.trailingTicks = draft.trailingTicks;
  return Object.keys(out).length ? out : null;
}

export function riskDraft(risk: RiskLimits | null | undefined): RiskDraft {
  return {
    maxPositionSize: risk?.maxPositionSize ?? null,
    maxOrderQuantity: risk?.maxOrderQuantity ?? null,
    maxOrdersPerMinute: risk?.maxOrdersPerMinute ?? null,
    maxDailyLoss: risk?.maxDailyLoss ?? null,
    maxDailyProfit: risk?.maxDailyProfit ?? null,
    windowStart: risk?.tradingWindow?.start ?? '',
    windowEnd: risk?.tradingWindow?.end ?? '',
    flattenAt: risk?.flattenAt ?? '',
    timeZone: risk?.timeZone ?? '',
  };
}

/**
 * The `risk` to send; null when nothing is set. A trading window with only one end is sent as
 * typed, so the server's own message says what is missing.
 */
export function riskInput(draft: RiskDraft): RiskLimits | null {
  const out: RiskLimits = {};
  for (const field of ['maxPositionSize', 'maxOrderQuantity', 'maxOrdersPerMinute', 'maxDailyLoss', 'maxDailyProfit'] as const) {
    const value = draft[field];
    if (set(value)) out[field] = value;
  }
  const start = draft.windowStart.trim();
  const end = draft.windowEnd.trim();
  if (start || end) out.tradingWindow = { start, end };
  if (draft.flattenAt.trim()) out.flattenAt = draft.flattenAt.trim();
  if (draft.timeZone.trim()) out.timeZone = draft.timeZone.trim();
  return Object.keys(out).length ? out : null;
}
