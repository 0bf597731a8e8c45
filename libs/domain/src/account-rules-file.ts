/**
 * Account rules as a trader writes them (a prop-firm preset in YAML or JSON, in dollars), checked
 * field by field and turned into `AccountRules` (cents). A preset names where its figures come
 * from and when they were read, because firms change their rules: a copy is the trader's to edit.
 */
import { z } from 'zod';
import type { AccountRules } from './account-rules.js';
import { toCents } from './money.js';
import { isValidTimeZone } from './trading-day.js';

const dollars = z.number().finite().positive().max(100_000_000);
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM (24-hour)');
const WEEKDAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const root = z.string().regex(/^[A-Z0-9]{1,10}$/, 'must be an instrument root like NQ or MNQ');

const source = z.strictObject({
  title: z.string().min(1).max(300),
  url: z.url().max(500),
  /** Who published it: the firm itself, a dataset that cites the firm, or someone else. */
  publisher: z.enum(['firm', 'dataset', 'third-party']),
  /** When it was read (`YYYY-MM-DD`). */
  read: z.iso.date(),
  /** Which figures it supports, as paths into `rules` (`drawdown.amount`). */
  supports: z.array(z.string().min(1).max(100)).max(50),
});

export const accountRulesSchema = z
  .strictObject({
    startingBalance: dollars,
    timeZone: z.string().refine(isValidTimeZone, 'must be an IANA time zone like America/New_York'),
    dayStart: clock,
    profitTarget: dollars.optional(),
    dailyLoss: z.strictObject({ limit: dollars, enforcement: z.enum(['soft', 'hard']) }).optional(),
    dailyProfitTarget: z.strictObject({ target: dollars, lock: z.boolean() }).optional(),
    drawdown: z
      .strictObject({
        mode: z.enum(['static', 'intraday', 'end-of-day']),
        amount: dollars,
        /** The floor stops rising at the starting balance plus this many dollars; absent: it never stops. */
        trailStopsAt: z.number().finite().min(-100_000_000).max(100_000_000).optional(),
        checkedOn: z.enum(['equity', 'close']).default('equity'),
      })
      .optional(),
    contracts: z
      .strictObject({
        max: z.number().int().min(1).max(10_000).optional(),
        microsPerMini: z.number().int().min(1).max(1000).default(10),
        microRoots: z.array(root).max(100).default(['MNQ', 'MES', 'MYM', 'M2K', 'MCL', 'MGC']),
        perInstrument: z.record(root, z.number().int().min(0).max(10_000)).default({}),
        scaling: z
          .array(z.strictObject({ fromBalance: z.number().finite().min(0).max(100_000_000), max: z.number().int().min(1).max(10_000) }))
          .max(50)
          .default([]),
      })
      .optional(),
    consistency: z.strictObject({ maxDayPercent: z.number().gt(0).lt(100) }).optional(),
    hours: z
      .strictObject({
        open: clock,
        close: clock,
        flattenAt: clock.optional(),
        weekdays: z.array(z.enum(WEEKDAY_NAMES)).min(1).max(7).default(['mon', 'tue', 'wed', 'thu', 'fri']),
      })
      .optional(),
    warnAtPercent: z.number().gt(0).lt(100).default(25),
  })
  .superRefine((rules, ctx) => {
    const dd = rules.drawdown;
    if (dd?.trailStopsAt !== undefined && dd.trailStopsAt < -dd.amount) {
      ctx.addIssue({
        code: 'custom',
        path: ['drawdown', 'trailStopsAt'],
        message: `must be at least -${dd.amount}: the floor starts there`,
      });
    }
    if (dd?.mode === 'static' && dd.trailStopsAt !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['drawdown', 'trailStopsAt'], message: 'a static drawdown does not trail' });
    }
    const steps = rules.contracts?.scaling ?? [];
    for (let i = 1; i < steps.length; i++) {
      if (steps[i].fromBalance <= steps[i - 1].fromBalance) {
        ctx.addIssue({ code: 'custom', path: ['contracts', 'scaling', i, 'fromBalance'], message: 'scaling steps must go up in balance' });
      }
    }
  });

export const accountRulesFileSchema = z.strictObject({
  firm: z.string().min(1).max(100),
  plan: z.string().min(1).max(200),
  /** The date the figures were last checked against their sources. */
  asOf: z.iso.date(),
  sources: z.array(source).min(1).max(20),
  /** Figures (paths into `rules`) not confirmed on the firm's own pages: check these first. */
  unverified: z.array(z.string().min(1).max(100)).max(50).default([]),
  notes: z.array(z.string().min(1).max(1000)).max(30).default([]),
  rules: accountRulesSchema,
});

export type AccountRulesInput = z.infer<typeof accountRulesSchema>;
export type AccountRulesFile = z.infer<typeof accountRulesFileSchema>;

/** Dollars to the cents the rules run on. */
export function toAccountRules(input: AccountRulesInput): AccountRules {
  const { drawdown: dd, contracts: c, hours } = input;
  return {
    startingBalanceCents: toCents(input.startingBalance),
    timeZone: input.timeZone,
    dayStart: input.dayStart,
    profitTargetCents: input.profitTarget === undefined ? null : toCents(input.profitTarget),
    dailyLoss: input.dailyLoss ? { limitCents: toCents(input.dailyLoss.limit), enforcement: input.dailyLoss.enforcement } : null,
    dailyProfitTarget: input.dailyProfitTarget
      ? { targetCents: toCents(input.dailyProfitTarget.target), lock: input.dailyProfitTarget.lock }
      : null,
    drawdown: dd
      ? {
          mode: dd.mode,
          amountCents: toCents(dd.amount),
          trailStopsAtCents: dd.trailStopsAt === undefined ? null : toCents(dd.trailStopsAt),
          checkedOn: dd.checkedOn,
        }
      : null,
    contracts: c
      ? {
          max: c.max ?? null,
          microsPerMini: c.microsPerMini,
          microRoots: c.microRoots,
          perInstrument: c.perInstrument,
          scaling: c.scaling.map((step) => ({ fromBalanceCents: toCents(step.fromBalance), max: step.max })),
        }
      : null,
    consistency: input.consistency ?? null,
    hours: hours
      ? {
          open: hours.open,
          close: hours.close,
          flattenAt: hours.flattenAt ?? null,
          weekdays: hours.weekdays.map((d) => WEEKDAY_NAMES.indexOf(d)),
        }
      : null,
    warnAtPercent: input.warnAtPercent,
  };
}

/** Problems in words, one per bad field (`rules.drawdown.amount: …`), or the file and its rules in cents. */
export function parseAccountRulesFile(
  raw: unknown,
): { ok: true; file: AccountRulesFile; rules: AccountRules } | { ok: false; problems: string[] } {
  const parsed = accountRulesFileSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`) };
  }
  return { ok: true, file: parsed.data, rules: toAccountRules(parsed.data.rules) };
}
