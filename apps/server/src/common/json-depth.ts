/** The deepest nesting an API body may have: real ones (links, exits, risk, params) are 4 deep. */
export const MAX_JSON_DEPTH = 32;

/**
 * How deep JSON text nests, read without parsing it (strings skipped, escapes honoured): so a
 * body of thousands of nested brackets is refused before anything walks it recursively.
 */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > deepest) deepest = depth;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return deepest;
}
