/**
 * What a log line may hold. Messages come from outside (alert ids, script errors, broker answers):
 * each is cut to a bounded length and has its control characters written out, so no input can
 * fill the disk through the log, forge a second line, or recolour a terminal.
 */

/** About 2 KB: the longest message (and the longest string in a line's context) kept. */
export const MAX_LOG_TEXT = 2000;
/** A context whose JSON is longer than this is kept as a cut preview. */
export const MAX_LOG_CONTEXT = 4000;

/**
 * C0 controls except tab (newline and carriage return forge lines, ESC starts terminal
 * sequences), DEL, C1 controls, the Unicode line and paragraph separators, and the bidirectional
 * overrides that make a line read differently from what it holds.
 */
const CONTROLS = '\\u0000-\\u0008\\u000a-\\u001f\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';
const CONTROL = new RegExp(`[${CONTROLS}]`, 'g');
const HAS_CONTROL = new RegExp(`[${CONTROLS}]`);

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r' };

/** Control characters as visible escapes: a newline becomes `\n`, ESC `\u001b`. */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** At most `max` characters, saying how many were cut; never splits a surrogate pair. */
export function clip(text: string, max = MAX_LOG_TEXT): string {
  if (text.length <= max) return text;
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}… [${text.length - end} more characters cut]`;
}

/** A message as it is stored and printed: at most about 2 KB, on one line, saying how much was cut. */
export function logText(text: unknown): string {
  const raw = typeof text === 'string' ? text : String(text);
  if (raw.length <= MAX_LOG_TEXT && !HAS_CONTROL.test(raw)) return raw;
  // Character by character (whole code points, whole escapes) until the limit: bounded work however long the text.
  let out = '';
  let used = 0;
  for (const char of raw) {
    const piece = escapeControl(char);
    if (out.length + piece.length > MAX_LOG_TEXT) break;
    out += piece;
    used += char.length;
  }
  return used < raw.length ? `${out}… [${raw.length - used} more characters cut]` : out;
}

/** A line's context as stored JSON: every string cut, the whole bounded; what cannot be written as JSON says so. */
export function logContext(context: Record<string, unknown> | undefined): string | null {
  if (!context) return null;
  let json: string;
  try {
    json = JSON.stringify(context, (_key, value: unknown) => {
      if (typeof value === 'string') return clip(value);
      if (typeof value === 'bigint') return value.toString();
      return value;
    });
  } catch (error) {
    return JSON.stringify({ unwritable: clip((error as Error).message, 200) });
  }
  if (json === undefined) return null;
  return json.length <= MAX_LOG_CONTEXT ? json : JSON.stringify({ cut: clip(json, MAX_LOG_CONTEXT / 2) });
}
