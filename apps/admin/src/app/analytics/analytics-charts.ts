import type { ChartConfiguration } from 'chart.js';
import type { AnalyticsView, LatencySpan } from '@tradeloop/contracts';

const GOOD = '#26c281';
const BAD = '#ef5350';
const ACCENT = '#4f8cff';
const MUTED = '#7d8898';
const LINE = '#1f2733';

const axes = (x: string, y: string) => ({
  x: { title: { display: true, text: x, color: MUTED }, ticks: { color: MUTED }, grid: { color: LINE } },
  y: { title: { display: true, text: y, color: MUTED }, ticks: { color: MUTED }, grid: { color: LINE }, beginAtZero: true },
});

export const barOptions = (x: string, y: string): ChartConfiguration<'bar'>['options'] => ({
  responsive: true,
  maintainAspectRatio: false,
  animation: false,
  plugins: { legend: { display: false } },
  scales: axes(x, y),
});

export const scatterOptions: ChartConfiguration<'scatter'>['options'] = {
  responsive: true,
  maintainAspectRatio: false,
  animation: false,
  plugins: { legend: { display: true, labels: { color: MUTED } } },
  scales: {
    ...axes('MAE ($, against)', 'MFE ($, for)'),
    x: { ...axes('', '').x, title: { display: true, text: 'MAE ($, against)', color: MUTED } },
  },
};

const msLabel = (ms: number) => (ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`);

/** One span's latency histogram as bars. */
export function latencyBars(view: AnalyticsView | null, span: LatencySpan): ChartConfiguration<'bar'>['data'] {
  const stage = view?.latency.find((l) => l.span === span);
  const buckets = stage?.histogram ?? [];
  return {
    labels: buckets.map((b, i) =>
      i === buckets.length - 1 ? `≥ ${msLabel(b.fromMs)}` : `${msLabel(b.fromMs)}–${msLabel(buckets[i + 1].fromMs)}`,
    ),
    datasets: [{ data: buckets.map((b) => b.count), backgroundColor: ACCENT }],
  };
}

/** The slippage distribution in ticks: worse (negative) in red, better in green. */
export function slippageBars(view: AnalyticsView | null): ChartConfiguration<'bar'>['data'] {
  const buckets = view?.slippage.histogram ?? [];
  return {
    labels: buckets.map((b) => `${b.fromTicks}`),
    datasets: [{ data: buckets.map((b) => b.count), backgroundColor: buckets.map((b) => (b.fromTicks < 0 ? BAD : GOOD)) }],
  };
}

/** MFE against MAE per trade, winners and losers apart. */
export function excursionScatter(view: AnalyticsView | null): ChartConfiguration<'scatter'>['data'] {
  const points = view?.excursions ?? [];
  const of = (win: boolean) => points.filter((p) => p.pnl > 0 === win).map((p) => ({ x: p.mae, y: p.mfe }));
  return {
    datasets: [
      { label: 'winners', data: of(true), backgroundColor: GOOD, pointRadius: 3 },
      { label: 'losers and flat', data: of(false), backgroundColor: BAD, pointRadius: 3 },
    ],
  };
}
