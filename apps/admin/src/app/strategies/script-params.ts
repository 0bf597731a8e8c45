import type { ScriptParamValue } from '@tradeloop/contracts';

/** One input of a script's parameters, typed by its declared default. */
export interface ParamField {
  key: string;
  type: 'number' | 'string' | 'boolean';
  defaultValue: ScriptParamValue;
  defaultText: string;
}

export function paramFields(defaults: Record<string, ScriptParamValue>): ParamField[] {
  return Object.entries(defaults).map(([key, value]) => ({
    key,
    type: typeof value as ParamField['type'],
    defaultValue: value,
    defaultText: typeof value === 'string' ? value || '(empty)' : String(value),
  }));
}

/**
 * The values to store for a strategy: only those that differ from the script's defaults (so a
 * changed default in the script reaches every strategy that kept it), each of its default's type.
 * An emptied number field falls back to the default; a value of the wrong type is left out.
 */
export function paramOverrides(
  defaults: Record<string, ScriptParamValue>,
  values: Record<string, ScriptParamValue | null | undefined>,
): Record<string, ScriptParamValue> {
  const out: Record<string, ScriptParamValue> = {};
  for (const [key, fallback] of Object.entries(defaults)) {
    let value = values[key];
    if (typeof fallback === 'number' && typeof value === 'string' && value.trim() !== '') value = Number(value);
    if (value === null || value === undefined || typeof value !== typeof fallback) continue;
    if (typeof value === 'number' && !Number.isFinite(value)) continue;
    if (value !== fallback) out[key] = value;
  }
  return out;
}
