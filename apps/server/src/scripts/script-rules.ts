import type { ScriptParams, ScriptParamValue } from '@tradeloop/contracts';

/**
 * A script's file name: letters, digits, `_`, `-` and `.`, ending in `.ts` or `.js`, not a
 * declaration file. No separators and no `..`, so a name can never leave the scripts folder.
 */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,96}\.(ts|js)$/;

export function scriptNameProblem(name: unknown): string | null {
  if (typeof name !== 'string' || name === '') return 'a script name is required';
  if (!NAME.test(name) || name.includes('..') || name.endsWith('.d.ts')) {
    return `"${name.slice(0, 120)}" is not a script name: use letters, digits, "_", "-" and ".", ending in .ts or .js`;
  }
  return null;
}

export const isScriptName = (name: string) => scriptNameProblem(name) === null;

const kind = (value: unknown) => (Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value);

/**
 * Checks a user's params against the defaults a script declares: every key must be declared and
 * keep its default's type. Returns the problem, naming the field, or null.
 */
export function paramsProblem(defaults: ScriptParams, input: unknown, script: string): string | null {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return 'params must be an object';
  for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
    if (!Object.hasOwn(defaults, key)) {
      const known = Object.keys(defaults);
      return `params.${key}: ${script} has no such parameter (${known.length ? `it has ${known.join(', ')}` : 'it declares none'})`;
    }
    const expected = typeof defaults[key];
    if (kind(value) !== expected || (expected === 'number' && !Number.isFinite(value))) {
      return `params.${key} must be a ${expected} (the default is ${JSON.stringify(defaults[key])}), got ${JSON.stringify(value) ?? kind(value)}`;
    }
  }
  return null;
}

/** The params a call sees: the declared defaults, overridden by the user's values that still fit them. */
export function effectiveParams(defaults: ScriptParams, overrides: ScriptParams | null): ScriptParams {
  const out: Record<string, ScriptParamValue> = { ...defaults };
  for (const [key, value] of Object.entries(overrides ?? {})) {
    if (Object.hasOwn(defaults, key) && typeof value === typeof defaults[key]) out[key] = value;
  }
  return out;
}
