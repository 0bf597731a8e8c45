/**
 * A small TypeScript/JavaScript tokenizer for the script editor's highlighting: enough to colour
 * keywords, strings, template literals, numbers, comments, regular expressions, types and calls.
 * It never throws and never drops a character: the tokens' texts joined give the source back,
 * which is what keeps the highlighted layer under the textarea aligned with it.
 */

export type TokenKind = 'keyword' | 'literal' | 'string' | 'number' | 'comment' | 'regex' | 'type' | 'function' | 'punct' | 'plain';

export interface Token {
  kind: TokenKind;
  text: string;
}

const KEYWORDS = new Set(
  (
    'abstract as async await break case catch class const continue debugger declare default delete do else enum export extends ' +
    'finally for from function get if implements import in instanceof interface is keyof let namespace new of private protected ' +
    'public readonly return satisfies set static super switch this throw try type typeof var void while with yield'
  ).split(' '),
);
const LITERALS = new Set(['true', 'false', 'null', 'undefined', 'NaN', 'Infinity']);
const TYPES = new Set(['number', 'string', 'boolean', 'unknown', 'any', 'never', 'object', 'symbol', 'bigint']);
/** After these words a `/` starts a regular expression, not a division. */
const BEFORE_REGEX = new Set([
  'return',
  'typeof',
  'instanceof',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'case',
  'do',
  'else',
  'yield',
  'await',
]);

const isIdentStart = (c: string) => /[A-Za-z_$\u00a0-\uffff]/.test(c);
const isIdentPart = (c: string) => /[\w$\u00a0-\uffff]/.test(c);
const isDigit = (c: string) => c >= '0' && c <= '9';

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const n = source.length;
  let i = 0;
  /** The last token that was not a space or a comment: decides whether `/` is a regex. */
  let last: Token | null = null;

  const push = (kind: TokenKind, text: string) => {
    const prev = tokens[tokens.length - 1];
    // Runs of plain text and punctuation merge: fewer elements to draw.
    if (prev && prev.kind === kind && (kind === 'plain' || kind === 'punct')) prev.text += text;
    else tokens.push({ kind, text });
    if (kind !== 'comment' && text.trim() !== '') last = { kind, text };
  };

  /** The end of a quoted string starting at `start` (a newline ends an unterminated one). */
  const stringEnd = (start: number, quote: string): number => {
    let j = start + 1;
    while (j < n) {
      const c = source[j];
      if (c === '\\') j += 2;
      else if (c === quote) return j + 1;
      else if (c === '\n') return j;
      else j++;
    }
    return n;
  };

  /** A template literal from the backtick at `start`: its text as strings, its `${…}` parts tokenized. */
  const template = (start: number): number => {
    let j = start + 1;
    let chunk = '`';
    while (j < n) {
      const c = source[j];
      if (c === '\\') {
        chunk += source.slice(j, j + 2);
        j += 2;
      } else if (c === '`') {
        push('string', chunk + '`');
        return j + 1;
      } else if (c === '$' && source[j + 1] === '{') {
        push('string', chunk);
        push('punct', '${');
        // The expression up to its matching brace.
        let depth = 1;
        let k = j + 2;
        while (k < n && depth > 0) {
          const d = source[k];
          if (d === '{') depth++;
          else if (d === '}') depth--;
          else if (d === "'" || d === '"') {
            k = stringEnd(k, d) - 1;
          } else if (d === '`') {
            // A template inside the expression: skip it whole.
            let m = k + 1;
            while (m < n && source[m] !== '`') m += source[m] === '\\' ? 2 : 1;
            k = m;
          }
          k++;
        }
        const inner = source.slice(j + 2, depth === 0 ? k - 1 : k);
        for (const t of tokenize(inner)) push(t.kind, t.text);
        if (depth === 0) push('punct', '}');
        chunk = '';
        j = k;
      } else {
        chunk += c;
        j++;
      }
    }
    if (chunk) push('string', chunk);
    return n;
  };

  const regexAllowed = () => {
    const prev: Token | null = last;
    if (!prev) return true;
    if (prev.kind === 'keyword') return BEFORE_REGEX.has(prev.text);
    if (prev.kind === 'punct') return !/[)\]}]$/.test(prev.text.trimEnd());
    return false;
  };

  /** The end of a regex literal at `start`, or -1 when it is not one (no closing slash on the line). */
  const regexEnd = (start: number): number => {
    let j = start + 1;
    let inClass = false;
    while (j < n) {
      const c = source[j];
      if (c === '\n') return -1;
      if (c === '\\') j += 2;
      else {
        if (c === '[') inClass = true;
        else if (c === ']') inClass = false;
        else if (c === '/' && !inClass) {
          j++;
          while (j < n && /[a-z]/i.test(source[j])) j++;
          return j;
        }
        j++;
      }
    }
    return -1;
  };

  while (i < n) {
    const c = source[i];
    const next = source[i + 1];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      let j = i + 1;
      while (j < n && /[ \t\n\r]/.test(source[j])) j++;
      push('plain', source.slice(i, j));
      i = j;
    } else if (c === '/' && next === '/') {
      let j = source.indexOf('\n', i);
      if (j < 0) j = n;
      push('comment', source.slice(i, j));
      i = j;
    } else if (c === '/' && next === '*') {
      const close = source.indexOf('*/', i + 2);
      const j = close < 0 ? n : close + 2;
      push('comment', source.slice(i, j));
      i = j;
    } else if (c === '"' || c === "'") {
      const j = stringEnd(i, c);
      push('string', source.slice(i, j));
      i = j;
    } else if (c === '`') {
      i = template(i);
    } else if (isDigit(c) || (c === '.' && next !== undefined && isDigit(next))) {
      const match = /^(0[xX][\da-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(\d[\d_]*)?\.?[\d_]*([eE][+-]?\d+)?)n?/.exec(source.slice(i, i + 64));
      const text = match && match[0] ? match[0] : c;
      push('number', text);
      i += text.length;
    } else if (isIdentStart(c)) {
      let j = i + 1;
      while (j < n && isIdentPart(source[j])) j++;
      const word = source.slice(i, j);
      let k = j;
      while (k < n && (source[k] === ' ' || source[k] === '\t')) k++;
      // A property (`x.return`, `{ type: 1 }`) is not a keyword; a spread (`...rest`) is not a property.
      const afterDot = source[i - 1] === '.' && source[i - 2] !== '.';
      const isKey = source[k] === ':' && word !== 'default' && word !== 'case';
      const isProperty = afterDot || (isKey && KEYWORDS.has(word));
      const kind: TokenKind = isProperty
        ? source[k] === '('
          ? 'function'
          : 'plain'
        : KEYWORDS.has(word)
          ? 'keyword'
          : LITERALS.has(word)
            ? 'literal'
            : TYPES.has(word) || /^[A-Z]/.test(word)
              ? 'type'
              : source[k] === '('
                ? 'function'
                : 'plain';
      push(kind, word);
      i = j;
    } else if (c === '/' && regexAllowed()) {
      const j = regexEnd(i);
      if (j < 0) {
        push('punct', c);
        i++;
      } else {
        push('regex', source.slice(i, j));
        i = j;
      }
    } else {
      push('punct', c);
      i++;
    }
  }
  return tokens;
}

/** The tokens split at newlines, one array a line (a token spanning lines is cut into pieces). */
export function tokenLines(source: string): Token[][] {
  const lines: Token[][] = [[]];
  for (const token of tokenize(source)) {
    const parts = token.text.split('\n');
    parts.forEach((part, index) => {
      if (index > 0) lines.push([]);
      if (part) lines[lines.length - 1].push({ kind: token.kind, text: part });
    });
  }
  return lines;
}
