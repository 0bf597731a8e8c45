import type { LatencySpan, OrderSide, OrderTimelineView, TimelineStage, TradeExcursionView } from '@tradeloop/contracts';
import { toDollars } from '@tradeloop/domain';
import { maybeNum, num } from './analytics-sql.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const span = (from: number | null, to: number | null) => (from === null || to === null ? null : to - from);

export type TimelineRow = Record<string, unknown>;

/** The stamps of a row (epoch ms) by stage. */
export function stampsOf(r: TimelineRow): Record<TimelineStage, number | null> {
  return {
    signal: maybeNum(r.signalAt),
    received: maybeNum(r.receivedAt),
    accepted: maybeNum(r.acceptedAt),
    handled: maybeNum(r.handledAt),
    sent: maybeNum(r.sentAt),
    acknowledged: maybeNum(r.acknowledgedAt),
    filled: maybeNum(r.filledAt),
    pushed: maybeNum(r.pushedAt),
  };
}

/** TradingView's delivery, Tradeloop's own stages, the broker's. */
export function spansOf(s: Record<TimelineStage, number | null>): Record<LatencySpan, number | null> {
  return {
    delivery: span(s.signal, s.received),
    intake: span(s.received, s.accepted),
    queue: span(s.accepted, s.handled),
    engine: span(s.handled, s.sent),
    broker: span(s.sent, s.acknowledged),
    fill: span(s.sent, s.filled),
    push: span(s.filled, s.pushed),
    tradeloop: span(s.received, s.sent),
  };
}

export function timelineView(r: TimelineRow): OrderTimelineView {
  const stamps = stampsOf(r);
  return {
    orderId: String(r.orderId),
    eventId: (r.eventId as string | null) ?? null,
    strategyId: (r.strategyId as string | null) ?? null,
    accountId: String(r.accountId ?? ''),
    ticker: String(r.ticker ?? ''),
    side: (r.side as OrderSide | null) ?? 'buy',
    stamps: Object.fromEntries(Object.entries(stamps).map(([k, v]) => [k, iso(v)])) as Record<TimelineStage, string | null>,
    spans: spansOf(stamps),
    referencePrice: maybeNum(r.referencePrice),
    referenceSource: (r.referenceSource as 'signal' | 'quote' | null) ?? null,
  };
}

export function excursionView(r: Record<string, unknown>, entryTime: number): TradeExcursionView {
  const risk = maybeNum(r.riskCents);
  const observedFrom = maybeNum(r.observedFrom);
  return {
    tradeId: String(r.tradeId),
    mfeTicks: num(r.mfeTicks),
    mfe: toDollars(num(r.mfeCents)),
    mfePrice: num(r.mfePrice),
    mfeTime: new Date(num(r.mfeTime)).toISOString(),
    maeTicks: num(r.maeTicks),
    mae: toDollars(num(r.maeCents)),
    maePrice: num(r.maePrice),
    maeTime: new Date(num(r.maeTime)).toISOString(),
    holdingMs: num(r.holdingMs),
    stopPrice: maybeNum(r.stopPrice),
    risk: risk === null ? null : toDollars(risk),
    rMultiple: maybeNum(r.rMultiple),
    complete: observedFrom !== null && observedFrom <= entryTime,
  };
}
