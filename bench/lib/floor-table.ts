// The first table `npm run bench` prints: each of Tradeloop's hot-path figures as a ratio to the
// floor measured in the same run, then both absolutes, and the target of each mode: embedded mode's
// (SQLite, in-process queue) are the issue's; BullMQ's and PostgreSQL's are ours, set against their
// own floors (docs/benchmarks.md says why).

interface Figures {
  latency: { webhookToFill: { p50: number | null; p99: number | null }; missingFills: number };
  acceptance: {
    acceptedPerSecond: number;
    latency: { p99: number | null };
    generator: string;
    /** Absent in results written before the figure was measured. */
    filledPerSecond?: number;
    backlog?: number;
    /** The server's CPU (every thread) an alert under that load; null where /proc is not there. Absent in older results. */
    cpuPerAlertUs?: number | null;
    /** PostgreSQL's processes' CPU an alert over the same span (PostgreSQL modes only). Absent in older results. */
    databaseCpuPerAlertUs?: number | null;
  };
}
/** What an alert costs, counted on a server started with the probe (bench/lib/probe.cts). */
export interface CountedFigures {
  alerts: number;
  /** Accepted alerts whose FILL had not reached /ws when counting stopped (their remaining work is not counted). */
  unfilled: number;
  statements: number;
  /** SQLite only; 0 where statements are counted, not timed (PostgreSQL). */
  statementMicros: number;
  redisCommands: number;
  allocatedKb: number;
  /** The event loop's longest turn while counting, and how many turns took 20 ms or more (absent in older results). */
  longestTurnMs?: number;
  longTurns?: number;
}
interface ModeResult {
  mode: string;
  /** Absent in results written before the counts were taken. */
  counted?: {
    floor: CountedFigures;
    tradeloop: CountedFigures;
    ratios: Record<'statements' | 'statementMicros' | 'redisCommands' | 'allocatedKb', number | null>;
  };
  floor: Figures;
  tradeloop: Figures;
  ratios: {
    fillP50: number | null;
    fillP99: number | null;
    acceptedPerSecond: number | null;
    acceptP99: number | null;
    filledPerSecond?: number | null;
    cpuPerAlert?: number | null;
    databaseCpuPerAlert?: number | null;
  };
  /** Rounds measured, and each ratio's lowest and highest over them (absent in results of one round). */
  rounds?: number;
  ratioRange?: Partial<Record<keyof ModeResult['ratios'], [number, number] | null>>;
}

/** Ratios each mode must meet: at most for the latencies, at least for the rate. */
interface Targets {
  fillP50: number;
  fillP99: number;
  acceptedPerSecond: number;
  acceptP99: number;
  /** Sustained end to end: accepted and filled while the load ran (at least). */
  filledPerSecond: number;
}
const TARGETS: [prefix: string, targets: Targets][] = [
  ['SQLite, in-process', { fillP50: 1.3, fillP99: 2, acceptedPerSecond: 0.5, acceptP99: 2, filledPerSecond: 0.5 }],
  ['SQLite, BullMQ', { fillP50: 2, fillP99: 4, acceptedPerSecond: 0.25, acceptP99: 4, filledPerSecond: 0.25 }],
  // Keeping up with one alert every 10 ms to one strategy (its lane is serial) is p50 within 2×.
  ['PostgreSQL', { fillP50: 2, fillP99: 4, acceptedPerSecond: 0.25, acceptP99: 4, filledPerSecond: 0.25 }],
];

const x = (r: number | null) => (r === null ? '—' : `${r.toFixed(2)}×`);
/** The ratio, and its range over the rounds when there were several. */
const xr = (m: ModeResult, figure: keyof ModeResult['ratios']) => {
  const range = m.ratioRange?.[figure];
  const value = x(m.ratios[figure] ?? null);
  return range && (m.rounds ?? 1) > 1 ? `${value} (${range[0].toFixed(2)}–${range[1].toFixed(2)})` : value;
};
const ms = (v: number | null) => (v === null ? '—' : `${v.toFixed(1)} ms`);
const us = (v: number) => `${Math.round(v).toLocaleString('en')} µs`;
const perSecond = (v: number) => `${Math.round(v).toLocaleString('en')}/s`;

/** Lines of the ratio table (empty without floor figures), and how many of its targets were met and missed. */
export function floorTable(floor: { rounds?: number; load: { latency: string; acceptance: string }; modes: ModeResult[] } | undefined): {
  lines: string[];
  met: number;
  missed: number;
} {
  const counts = { met: 0, missed: 0 };
  if (!floor?.modes?.length) return { lines: [], ...counts };
  const rows: string[][] = [['', 'figure', 'Tradeloop ÷ floor (range)', 'Tradeloop', 'floor', 'target']];
  for (const m of floor.modes) {
    const targets = TARGETS.find(([prefix]) => m.mode.startsWith(prefix))?.[1];
    const mark = (ok: boolean) => {
      counts[ok ? 'met' : 'missed']++;
      return ok ? ' ✓' : ' ✗';
    };
    const t = m.tradeloop;
    const f = m.floor;
    const r = m.ratios;
    const missing = t.latency.missingFills ? ` (${t.latency.missingFills} unfilled)` : '';
    rows.push([
      m.mode,
      'webhook → FILL on /ws p50',
      xr(m, 'fillP50'),
      ms(t.latency.webhookToFill.p50) + missing,
      ms(f.latency.webhookToFill.p50),
      targets ? `≤ ${targets.fillP50}×${mark(r.fillP50 !== null && r.fillP50 <= targets.fillP50)}` : '',
    ]);
    rows.push([
      '',
      'webhook → FILL on /ws p99',
      xr(m, 'fillP99'),
      ms(t.latency.webhookToFill.p99),
      ms(f.latency.webhookToFill.p99),
      targets ? `≤ ${targets.fillP99}×${mark(r.fillP99 !== null && r.fillP99 <= targets.fillP99)}` : '',
    ]);
    rows.push([
      '',
      'webhooks/s accepted (202)',
      xr(m, 'acceptedPerSecond'),
      perSecond(t.acceptance.acceptedPerSecond),
      perSecond(f.acceptance.acceptedPerSecond),
      targets
        ? `≥ ${targets.acceptedPerSecond}×${mark(r.acceptedPerSecond !== null && r.acceptedPerSecond >= targets.acceptedPerSecond)}`
        : '',
    ]);
    rows.push([
      '',
      'accept p99 under load',
      xr(m, 'acceptP99'),
      ms(t.acceptance.latency.p99),
      ms(f.acceptance.latency.p99),
      targets ? `≤ ${targets.acceptP99}×${mark(r.acceptP99 !== null && r.acceptP99 <= targets.acceptP99)}` : '',
    ]);
    const sustained = r.filledPerSecond ?? null;
    if (t.acceptance.filledPerSecond !== undefined && f.acceptance.filledPerSecond !== undefined)
      rows.push([
        '',
        'accepted and filled/s (sustained)',
        xr(m, 'filledPerSecond'),
        `${perSecond(t.acceptance.filledPerSecond)}${t.acceptance.backlog ? ` (${t.acceptance.backlog} behind)` : ''}`,
        `${perSecond(f.acceptance.filledPerSecond)}${f.acceptance.backlog ? ` (${f.acceptance.backlog} behind)` : ''}`,
        targets ? `≥ ${targets.filledPerSecond}×${mark(sustained !== null && sustained >= targets.filledPerSecond)}` : '',
      ]);
    // No target: they say how much of each ratio above is work the floor does not do.
    const cpuRow = (label: string, figure: 'cpuPerAlert' | 'databaseCpuPerAlert', of: (figures: Figures) => number | null | undefined) => {
      const [tradeloopUs, floorUs] = [of(t), of(f)];
      if (tradeloopUs != null && floorUs != null) rows.push(['', label, xr(m, figure), us(tradeloopUs), us(floorUs), '—']);
    };
    cpuRow('server CPU an alert, under that load', 'cpuPerAlert', (figures) => figures.acceptance.cpuPerAlertUs);
    // On PostgreSQL, which shares the machine's cores: the database's part of an alert.
    cpuRow("PostgreSQL's CPU an alert, the same span", 'databaseCpuPerAlert', (figures) => figures.acceptance.databaseCpuPerAlertUs);
    // Counted, not timed (but the time inside the statements): they hold still while the machine's speed drifts.
    const c = m.counted;
    if (c) {
      const count = (unit: string) => (v: number) => `${v.toLocaleString('en', { maximumFractionDigits: 1 })}${unit}`;
      const row = (label: string, figure: keyof typeof c.ratios, show: (v: number) => string) =>
        rows.push(['', label, x(c.ratios[figure]), show(c.tradeloop[figure]), show(c.floor[figure]), '—']);
      row('statements an alert (counted)', 'statements', count(''));
      // SQLite's calls are synchronous and timed; PostgreSQL's are counted only (a query waits in line on its connection).
      if (c.tradeloop.statementMicros || c.floor.statementMicros) row('  time inside them', 'statementMicros', us);
      row('heap allocated an alert (counted)', 'allocatedKb', count(' KB'));
      if (c.tradeloop.redisCommands || c.floor.redisCommands) row('Redis commands an alert (counted)', 'redisCommands', count(''));
      // What one stretch of work holds every waiting webhook for; no ratio: the floor's is mostly the machine's.
      const turn = (figures: CountedFigures) =>
        figures.longestTurnMs === undefined ? null : `${figures.longestTurnMs} ms (${figures.longTurns} of 20 ms+)`;
      const [ownTurn, floorTurn] = [turn(c.tradeloop), turn(c.floor)];
      if (ownTurn && floorTurn) rows.push(['', 'longest event-loop turn (counted pass)', '—', ownTurn, floorTurn, '—']);
    }
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const line = (row: string[]) =>
    row
      .map((cell, c) => cell.padEnd(widths[c]))
      .join('  ')
      .trimEnd();
  const lines = [
    `Ratios to the floor (same run, same client${(floor.rounds ?? 1) > 1 ? `; the median of ${floor.rounds} rounds, each measuring both back to back, and the rounds' range` : ''}). Latency: ${floor.load.latency}. Acceptance: ${floor.load.acceptance}.`,
    line(rows[0]),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.slice(1).map(line),
  ];
  return { lines, ...counts };
}
