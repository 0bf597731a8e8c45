/** Names the server accepts: letters, digits, `_`, `-` and `.`, ending in `.ts` or `.js` (not `.d.ts`). */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,96}\.(ts|js)$/;

/** `breakout` → `breakout.ts`; null when the name cannot be a script's. */
export function scriptFileName(input: string): string | null {
  const name = input.trim();
  const file = /\.(ts|js)$/.test(name) ? name : `${name}.ts`;
  return NAME.test(file) && !file.includes('..') && !file.endsWith('.d.ts') ? file : null;
}

/** A new script's first text: a working strategy to start from. */
export const NEW_SCRIPT = `// Runs for each alert on the strategy's webhook URL. API: strategies/README.md
export default defineStrategy({
  params: { qty: 1 },

  onWebhook(alert, ctx) {
    if (alert.action === 'buy') ctx.buy(alert.ticker, alert.quantity ?? ctx.params.qty);
    if (alert.action === 'sell') ctx.sell(alert.ticker, alert.quantity ?? ctx.params.qty);
    if (alert.action === 'exit') ctx.flatten(alert.ticker);
  },
});
`;
