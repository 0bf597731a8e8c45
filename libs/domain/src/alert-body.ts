import { AlertError } from './alert-values.js';

/** No alert nests deeper than a stop loss inside the alert (2); this leaves room and stops a stack-eating body cold. */
export const MAX_ALERT_DEPTH = 16;

const EXAMPLE = '{"ticker":"NQ1!","action":"buy","quantity":1}';

/**
 * How deeply a JSON text nests, counted without parsing (strings and escapes skipped), stopping as
 * soon as it passes `limit`: a 10,000-deep body costs one pass over its characters.
 */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** The same for a value already parsed (an object body), walked without recursion. */
export function valueDepthExceeds(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  let visited = 0;
  while (stack.length) {
    const [current, depth] = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth > limit) return true;
    // A body is at most 64 KiB: far fewer values than this.
    if (++visited > 100_000) return true;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}

const TYPOGRAPHIC_QUOTES = /[\u201c\u201d\u201e\u201f\u2033\u2036\u2018\u2019\u201a\u201b]/;

/** Why a text that is not JSON was meant to be, in words a TradingView user can act on. */
function notJson(text: string, parseError: string): string {
  const hints: string[] = [];
  if (TYPOGRAPHIC_QUOTES.test(text)) {
    hints.push(
      'it contains typographic quotes (“ ” ‘ ’): JSON needs straight double quotes ("), so retype them or paste from a plain-text editor',
    );
  }
  if (/,\s*[}\]]/.test(text)) hints.push('a comma stands before a closing } or ]: JSON allows no trailing comma');
  if (/(^|[\s,{[])\/\/|\/\*/.test(text.replace(/"(?:[^"\\]|\\.)*"/g, '""')))
    hints.push('JSON has no comments: remove the // or /* */ parts');
  const reason = hints.length ? hints.join('; ') : parseError;
  return `the alert message must be JSON, and this is not valid JSON: ${reason}. Write it like ${EXAMPLE}`;
}

/** PineConnector's comma text: `LicenseID,command,symbol,key=value,…`. */
const PINECONNECTOR = /^\s*[^,{}"\s]+\s*,\s*([a-z]+)\s*,\s*([^,\s]+)((?:\s*,\s*[a-z0-9_]+\s*=\s*[^,]*)*)\s*$/i;

/** What PineConnector's commands are in Tradeloop's words, for the refusal's hint. */
const PINECONNECTOR_COMMANDS: ReadonlyMap<string, string> = new Map([
  ['buy', '"action":"buy"'],
  ['sell', '"action":"sell"'],
  ['buylimit', '"action":"buy","orderType":"limit","limitPrice":…'],
  ['selllimit', '"action":"sell","orderType":"limit","limitPrice":…'],
  ['buystop', '"action":"buy","orderType":"stop","stopPrice":…'],
  ['sellstop', '"action":"sell","orderType":"stop","stopPrice":…'],
  ['closelong', '"action":"sell","sentiment":"flat"'],
  ['closeshort', '"action":"buy","sentiment":"flat"'],
  ['closeall', '"action":"exit"'],
  ['closelongshort', '"action":"exit"'],
  ['closelongbuy', '"action":"buy"'],
  ['closeshortsell', '"action":"sell"'],
  ['cancellong', '"action":"cancel"'],
  ['cancelshort', '"action":"cancel"'],
]);

/**
 * PineConnector's alerts are refused, with the JSON that would do the same: their risk=, sl= and
 * tp= mean lots, percent, pips or prices depending on the EA's settings, which an alert does not
 * carry, so no mapping could be sure of the size or the exits.
 */
function pineConnectorHint(text: string): string | null {
  const match = PINECONNECTOR.exec(text);
  if (!match) return null;
  const command = match[1].toLowerCase();
  const action = PINECONNECTOR_COMMANDS.get(command);
  if (!action) return null;
  const risk = /(?:^|,)\s*risk\s*=\s*([0-9.]+)/i.exec(match[3] ?? '');
  const quantity = risk && (command.startsWith('buy') || command.startsWith('sell')) ? `,"quantity":${risk[1]}` : '';
  const json = `{"ticker":"${match[2].replace(/[^A-Za-z0-9._!/:-]/g, '')}",${action}${quantity}}`;
  return (
    `the alert message must be JSON; this looks like PineConnector's comma text, which Tradeloop does not read ` +
    `(its risk=, sl= and tp= depend on the EA's settings). The same alert in JSON: ${json}` +
    (quantity ? ' (quantity in contracts or shares: set it to what your risk= meant)' : '') +
    '; exits go in "takeProfit" / "stopLoss", e.g. {"amount":10}'
  );
}

/**
 * The alert body as a plain JSON object: from the raw text TradingView sent (JSON or not, whatever
 * the content type said), or from a value already parsed. Throws an AlertError in words.
 */
export function readAlertBody(input: unknown): Record<string, unknown> {
  if (input === undefined || input === null || (typeof input === 'string' && input.trim() === '')) {
    throw new AlertError(`the alert message is empty: it must be JSON like ${EXAMPLE}`);
  }
  let body: unknown = input;
  if (typeof input === 'string') {
    if (jsonDepthExceeds(input, MAX_ALERT_DEPTH)) {
      throw new AlertError(`the alert message is nested more than ${MAX_ALERT_DEPTH} levels deep: an alert is a flat JSON object`);
    }
    try {
      body = JSON.parse(input);
    } catch (error) {
      throw new AlertError(pineConnectorHint(input) ?? notJson(input, (error as Error).message));
    }
  } else if (valueDepthExceeds(input, MAX_ALERT_DEPTH)) {
    throw new AlertError(`the alert message is nested more than ${MAX_ALERT_DEPTH} levels deep: an alert is a flat JSON object`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    const got = Array.isArray(body) ? 'a list' : typeof body === 'string' ? 'a string' : `${JSON.stringify(body)}`;
    throw new AlertError(`the alert message must be a JSON object like ${EXAMPLE}, got ${got}`);
  }
  return body as Record<string, unknown>;
}
