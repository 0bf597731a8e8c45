import { describe, expect, it } from '@jest/globals';
import {
  closeDay,
  observeEquity,
  openAccount,
  parseAccountRulesFile,
  type AccountRules,
  type AccountRulesFile,
  type AccountState,
} from '@tradeloop/domain';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const DIR = join(import.meta.dirname, '..', '..', '..', 'config', 'prop-firms');
const usd = (dollars: number) => Math.round(dollars * 100);

function load(name: string): { file: AccountRulesFile; rules: AccountRules } {
  const parsed = parseAccountRulesFile(parse(readFileSync(join(DIR, name), 'utf8')));
  if (!parsed.ok) throw new Error(`${name}: ${parsed.problems.join('; ')}`);
  return parsed;
}

const files = readdirSync(DIR).filter((name) => name.endsWith('.yaml'));

/** A value at a dotted path (`drawdown.amount`) of a preset's raw rules. */
function at(raw: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), raw);
}

describe('every prop-firm preset', () => {
  it('exists', () => {
    expect(files.sort()).toEqual(['apex-50k-eod.yaml', 'apex-50k-intraday.yaml', 'topstep-50k-combine.yaml', 'tradeify-growth-50k.yaml']);
  });

  it.each(files)('%s parses, names its dated sources, and lists only real figures as unverified', (name) => {
    const raw = parse(readFileSync(join(DIR, name), 'utf8')) as { rules: unknown };
    const { file } = load(name);
    expect(file.sources.length).toBeGreaterThan(0);
    // The file's date is when its figures were last checked: no source read later.
    for (const source of file.sources) expect(source.read <= file.asOf).toBe(true);
    // An unverified figure is set, or left out on purpose inside a rule that is set (a trail stop the sources disagree on).
    for (const path of file.unverified) {
      const parent = path.includes('.') ? at(raw.rules, path.slice(0, path.lastIndexOf('.'))) : raw.rules;
      expect([path, at(raw.rules, path) ?? parent]).not.toEqual([path, undefined]);
    }
  });
});

describe('a bad preset', () => {
  it('is refused field by field, in words', () => {
    const raw = parse(readFileSync(join(DIR, 'topstep-50k-combine.yaml'), 'utf8')) as { rules: Record<string, unknown> };
    raw.rules.timeZone = 'Chicago';
    raw.rules.drawdown = { mode: 'end-of-day', amount: 2000, trailStopsAt: -2500 };
    raw.rules.hours = { open: '5pm', close: '15:10' };
    raw.rules.maxLoss = 5;
    const parsed = parseAccountRulesFile(raw);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.problems).toEqual(
      expect.arrayContaining([
        'rules.timeZone: must be an IANA time zone like America/New_York',
        'rules.hours.open: must be a time HH:MM (24-hour)',
        expect.stringMatching(/^rules: Unrecognized key: "maxLoss"/),
      ]),
    );
  });
});

/**
 * The dataset's entries as published (powerFC/propfirm-rules-dataset, data/prop-firm-rules.json
 * at commit 520a22ad25868bb5e4611a34e31bf5e8fca044fd, last_updated 2026-09-04), copied field for
 * field. Percentages are of the account size; `value_dollars` where the dataset gives dollars.
 */
const DATASET = {
  'topstep-50k-combine.yaml': {
    plan_id: 'topstep_50k',
    size: 50000,
    profit_target_pct: 6,
    daily_loss: { type: 'none' },
    max_drawdown: { type: 'eod_trail', value: 4, locks_at: 'start_balance' },
    consistency: { type: 'none' },
  },
  'apex-50k-eod.yaml': {
    plan_id: 'apex_eod_trail',
    size: 50000,
    profit_target_pct: 6,
    daily_loss: { type: 'pct_initial', value: 2, value_dollars: 1000, soft: true },
    max_drawdown: { type: 'eod_trail', value: 4, value_dollars: 2000, locks_at: 'none' },
    consistency: { type: 'none' },
  },
  'apex-50k-intraday.yaml': {
    plan_id: 'apex_intraday_trail',
    size: 50000,
    profit_target_pct: 6,
    daily_loss: { type: 'none' },
    max_drawdown: { type: 'intraday_trail', value: 4, value_dollars: 2000, locks_at: 'none' },
    consistency: { type: 'none' },
  },
} as const;

const MODE = { eod_trail: 'end-of-day', intraday_trail: 'intraday', static: 'static' } as const;

describe('figures match the dataset entry each preset cites', () => {
  it.each(Object.entries(DATASET))('%s = %o', (name, entry) => {
    const { rules, file } = load(name);
    expect(file.sources.some((s) => s.publisher === 'dataset' && s.title.includes(`plan ${entry.plan_id}`))).toBe(true);
    const dd = entry.max_drawdown;
    const ddDollars = 'value_dollars' in dd ? dd.value_dollars : (dd.value * entry.size) / 100;
    expect(rules.startingBalanceCents).toBe(usd(entry.size));
    expect(rules.profitTargetCents).toBe(usd((entry.profit_target_pct * entry.size) / 100));
    expect(rules.drawdown).toMatchObject({
      mode: MODE[dd.type],
      amountCents: usd(ddDollars),
      trailStopsAtCents: dd.locks_at === 'start_balance' ? 0 : null,
    });
    const loss = entry.daily_loss;
    expect(rules.dailyLoss).toEqual(
      loss.type === 'none' ? null : { limitCents: usd(loss.value_dollars), enforcement: loss.soft ? 'soft' : 'hard' },
    );
    expect(rules.consistency).toBeNull();
  });
});

describe("figures match the firms' own pages", () => {
  it("Tradeify Growth 50K: the help center's $1,250 soft daily loss limit and the $2,000 trail that locks at $52,100", () => {
    const { rules } = load('tradeify-growth-50k.yaml');
    expect(rules.dailyLoss).toEqual({ limitCents: usd(1250), enforcement: 'soft' });
    // "locks once the balance exceeds the starting capital plus the maximum drawdown amount plus $100 (e.g. $52,100 for a $50k account with $2,000 drawdown)"
    expect(rules.drawdown).toEqual({ mode: 'end-of-day', amountCents: usd(2000), trailStopsAtCents: usd(100), checkedOn: 'equity' });
    expect(rules.startingBalanceCents + rules.drawdown!.amountCents + rules.drawdown!.trailStopsAtCents!).toBe(usd(52_100));
  });

  it("Topstep 50K: the Maximum Loss Limit article's $2,000 from the balance high, frozen at the starting balance", () => {
    const { rules } = load('topstep-50k-combine.yaml');
    expect(rules.drawdown).toEqual({ mode: 'end-of-day', amountCents: usd(2000), trailStopsAtCents: 0, checkedOn: 'equity' });
  });
});

/** Walks closes and intraday equity through a preset; returns the floors after each step and the first breach. */
function run(rules: AccountRules, steps: ({ close: [string, number] } | { equity: [string, number] })[]) {
  let state: AccountState = openAccount(rules, Date.parse('2026-03-16T14:00:00Z'));
  const floors: number[] = [];
  let breach: { at: number; equity: number } | null = null;
  for (const step of steps) {
    if ('close' in step) {
      state = closeDay(rules, state, { at: Date.parse(step.close[0]), closingBalanceCents: usd(step.close[1]) }).state;
    } else {
      const result = observeEquity(rules, state, {
        at: Date.parse(step.equity[0]),
        balanceCents: state.balanceCents,
        openPnlCents: usd(step.equity[1]) - state.balanceCents,
      });
      state = result.state;
      const hit = result.events.find((e) => e.kind === 'breach');
      if (hit && !breach) breach = { at: hit.at, equity: usd(step.equity[1]) };
    }
    floors.push(state.floorCents!);
  }
  return { floors, breach };
}

describe('worked examples through the presets', () => {
  it("Topstep: +$500, −$500, +$2,500 days move the floor to $48,500, keep it, then freeze it at $50,000 (the help center's example)", () => {
    const { rules } = load('topstep-50k-combine.yaml');
    const { floors, breach } = run(rules, [
      { close: ['2026-03-16T20:00:00Z', 50_500] },
      { close: ['2026-03-17T20:00:00Z', 50_000] },
      { close: ['2026-03-18T20:00:00Z', 52_500] },
      { equity: ['2026-03-19T15:00:00Z', 50_000.01] },
      { equity: ['2026-03-19T15:01:00Z', 50_000] },
    ]);
    expect(floors).toEqual([usd(48_500), usd(48_500), usd(50_000), usd(50_000), usd(50_000)]);
    expect(breach).toEqual({ at: Date.parse('2026-03-19T15:01:00Z'), equity: usd(50_000) });
  });

  it('Apex intraday: a trade run to $53,000 and given back fails at $51,000 (the taxonomy example); the EOD preset survives the same path', () => {
    const path = [
      { equity: ['2026-03-16T15:00:00Z', 53_000] as [string, number] },
      { equity: ['2026-03-16T15:30:00Z', 51_000.01] as [string, number] },
      { equity: ['2026-03-16T16:00:00Z', 51_000] as [string, number] },
      { equity: ['2026-03-16T16:30:00Z', 50_000] as [string, number] },
    ];
    const intraday = run(load('apex-50k-intraday.yaml').rules, path);
    expect(intraday.floors).toEqual([usd(51_000), usd(51_000), usd(51_000), usd(51_000)]);
    expect(intraday.breach).toEqual({ at: Date.parse('2026-03-16T16:00:00Z'), equity: usd(51_000) });
    const eod = run(load('apex-50k-eod.yaml').rules, path);
    expect(eod.floors).toEqual([usd(48_000), usd(48_000), usd(48_000), usd(48_000)]);
    expect(eod.breach).toBeNull();
  });

  it('Tradeify: a $52,100 close locks the floor at $50,100; a $53,000 close leaves it there', () => {
    const { floors } = run(load('tradeify-growth-50k.yaml').rules, [
      { close: ['2026-03-16T20:00:00Z', 51_500] }, // taxonomy-style step: floor 49,500
      { close: ['2026-03-17T20:00:00Z', 52_100] },
      { close: ['2026-03-18T20:00:00Z', 53_000] },
    ]);
    expect(floors).toEqual([usd(49_500), usd(50_100), usd(50_100)]);
  });
});
