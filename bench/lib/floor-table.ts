// The first table `npm run bench` prints: each of Tradeloop's hot-path figures as a ratio to the
// floor measured in the same run, then both absolutes. Targets are embedded mode's (SQLite, in-process queue).

interface Figures {
  latency: { webhookToFill: { p50: number | null; p99: number | null }; missingFills: number };
  acceptance: { acceptedPerSecond: number; latency: { p99: number | null }; generator: string };
}
interface ModeResult {
  mode: string;
  floor: Figures;
  tradeloop: Figures;
  ratios: { fillP50: number | null; fillP99: number | null; acceptedPerSecond: number | null; acceptP99: number | null };
}

const x = (r: number | null) => (r === null ? '—' : `${r.toFixed(2)}×`);
const ms = (v: number | null) => (v === null ? '—' : `${v.toFixed(1)} ms`);
const perSecond = (v: number) => `${Math.round(v).toLocaleString('en')}/s`;

/** Lines of the ratio table (empty without floor figures). */
export function floorTable(floor: { load: { latency: string; acceptance: string }; modes: ModeResult[] } | undefined): string[] {
  if (!floor?.modes?.length) return [];
  const rows: string[][] = [['', 'figure', 'Tradeloop ÷ floor', 'Tradeloop', 'floor', 'target']];
  for (const m of floor.modes) {
    const embedded = m.mode.startsWith('SQLite, in-process');
    const mark = (ok: boolean) => (embedded ? (ok ? ' ✓' : ' ✗') : '');
    const t = m.tradeloop;
    const f = m.floor;
    const r = m.ratios;
    const missing = t.latency.missingFills ? ` (${t.latency.missingFills} unfilled)` : '';
    rows.push([
      m.mode,
      'webhook → FILL on /ws p50',
      x(r.fillP50),
      ms(t.latency.webhookToFill.p50) + missing,
      ms(f.latency.webhookToFill.p50),
      embedded ? `≤ 1.3×${mark(r.fillP50 !== null && r.fillP50 <= 1.3)}` : '',
    ]);
    rows.push([
      '',
      'webhook → FILL on /ws p99',
      x(r.fillP99),
      ms(t.latency.webhookToFill.p99),
      ms(f.latency.webhookToFill.p99),
      embedded ? `≤ 2×${mark(r.fillP99 !== null && r.fillP99 <= 2)}` : '',
    ]);
    rows.push([
      '',
      'webhooks/s accepted (202)',
      x(r.acceptedPerSecond),
      perSecond(t.acceptance.acceptedPerSecond),
      perSecond(f.acceptance.acceptedPerSecond),
      embedded ? `≥ 0.5×${mark(r.acceptedPerSecond !== null && r.acceptedPerSecond >= 0.5)}` : '',
    ]);
    rows.push([
      '',
      'accept p99 under load',
      x(r.acceptP99),
      ms(t.acceptance.latency.p99),
      ms(f.acceptance.latency.p99),
      embedded ? `≤ 2×${mark(r.acceptP99 !== null && r.acceptP99 <= 2)}` : '',
    ]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const line = (row: string[]) =>
    row
      .map((cell, c) => cell.padEnd(widths[c]))
      .join('  ')
      .trimEnd();
  return [
    `Ratios to the floor (same run, same client). Latency: ${floor.load.latency}. Acceptance: ${floor.load.acceptance}.`,
    line(rows[0]),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.slice(1).map(line),
  ];
}
