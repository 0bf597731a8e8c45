import { tokenLines, tokenize, type Token } from './ts-tokenizer';

/** The tokens that are not plain text, as `kind:text`. */
const marked = (tokens: Token[]) => tokens.filter((t) => t.kind !== 'plain' && t.kind !== 'punct').map((t) => `${t.kind}:${t.text}`);

describe('tokenize', () => {
  it('gives every character back, in order', () => {
    const source = [
      'export default defineStrategy({',
      "  params: { qty: 1, stopTicks: 40, name: 'a \\'b\\'' },",
      '  onWebhook(alert, ctx) {',
      '    if (/^buy$/i.test(alert.action)) ctx.buy(alert.ticker, ctx.params.qty / 2);',
      '    ctx.log(`info`, `P&L ${ctx.pnl().total} of ${`nested ${1}`}`); /* done',
      '    */',
      '  },',
      '});',
      '"unterminated',
      '`open template ${x',
    ].join('\n');
    expect(
      tokenize(source)
        .map((t) => t.text)
        .join(''),
    ).toBe(source);
  });

  it('colours keywords, literals, numbers, strings, comments, types and calls', () => {
    expect(marked(tokenize("const x: number = 0x1f + 1.5e3; // note\nif (ok === true) return new Map<string, Quote>(); 'a'"))).toEqual([
      'keyword:const',
      'type:number',
      'number:0x1f',
      'number:1.5e3',
      'comment:// note',
      'keyword:if',
      'literal:true',
      'keyword:return',
      'keyword:new',
      'type:Map',
      'type:string',
      'type:Quote',
      "string:'a'",
    ]);
  });

  it('tells a regular expression from a division', () => {
    expect(marked(tokenize('const r = /a\\/b[/]/g; const half = total / 2 / count;'))).toEqual([
      'keyword:const',
      'regex:/a\\/b[/]/g',
      'keyword:const',
      'number:2',
    ]);
    expect(marked(tokenize('return /x/.test(s)'))).toEqual(['keyword:return', 'regex:/x/', 'function:test']);
    expect(marked(tokenize('(a) / b / c'))).toEqual([]);
  });

  it('does not take properties and object keys for keywords', () => {
    expect(marked(tokenize('alert.default; x = { type: 1, new: 2 }; fill.return()'))).toEqual(['number:1', 'number:2', 'function:return']);
    expect(marked(tokenize('switch (a) { default: break; }'))).toEqual(['keyword:switch', 'keyword:default', 'keyword:break']);
  });

  it('tokenizes the expressions inside a template literal', () => {
    expect(marked(tokenize('`a ${n + 1} b`'))).toEqual(['string:`a ', 'number:1', 'string: b`']);
  });

  it('keeps unterminated strings and comments to the end without throwing', () => {
    expect(marked(tokenize("'abc\nx"))).toEqual(["string:'abc"]);
    expect(marked(tokenize('/* open'))).toEqual(['comment:/* open']);
    expect(marked(tokenize('a = / b'))).toEqual([]);
  });
});

describe('tokenLines', () => {
  it('splits tokens that span lines, so each line draws on its own', () => {
    const lines = tokenLines('a /* one\ntwo */ b\n');
    expect(lines).toHaveLength(3);
    expect(lines[0].map((t) => t.kind)).toEqual(['plain', 'comment']);
    expect(lines[1]).toEqual([
      { kind: 'comment', text: 'two */' },
      { kind: 'plain', text: ' b' },
    ]);
    expect(lines[2]).toEqual([]);
  });
});
