import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../apps/server/src/backtest/cli.js';

const BARS = join('test', 'fixtures', 'backtest', 'nq-4-bars.csv');

/** `npm run backtest`: the CLI's main, with its output captured. */
async function cli(args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await main(args, (text) => lines.push(text));
  return { code, out: lines.join('\n') };
}

describe('the backtest CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tradeloop-backtest-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the report of a script file run in the sandbox, and two parameter sets side by side', async () => {
    const script = join(dir, 'threshold.ts');
    writeFileSync(
      script,
      `export default defineStrategy({
        params: { threshold: 100 },
        state: { entered: false },
        onTick(quote, ctx) {
          if (!ctx.state.entered && quote.time % 60000 === 59999 && quote.bid > ctx.params.threshold) {
            ctx.buy(quote.ticker, 1, { takeProfit: { ticks: 4 }, stopLoss: { ticks: 4 } });
            ctx.state.entered = true;
          }
        },
      });`,
    );
    const { code, out } = await cli([
      '--strategy',
      script,
      '--ticker',
      'NQ1!',
      '--bars',
      BARS,
      '--commission',
      '1.25',
      '--compare',
      '{"threshold":200}',
    ]);
    expect(code).toBe(0);
    // Bought at 100.5, sold at the take profit 101.5: 4 ticks × $5 − 2 × $1.25.
    expect(out).toContain('Net P&L        $17.50   (realized $17.50, open $0.00)');
    expect(out).toMatch(/1 +long +1 +2024-01-02T14:30:59\.999Z +100\.5 +2024-01-02T14:31:40\.000Z +101\.5 +\$17\.50/);
    expect(out).toMatch(/net P&L +\$17\.50 +\$0\.00/);
    expect(out).toMatch(/params +\{"threshold":100\} +\{"threshold":200\}/);
  });

  it('prints JSON with --json, and refuses a bad file naming its line', async () => {
    const { out } = await cli(['--ticker', 'NQ1!', '--bars', BARS, '--json']);
    expect(JSON.parse(out)).toMatchObject({ strategy: 'pass-through', ticker: 'NQ1!', stats: { bars: 4, quotes: 16 }, trades: [] });
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'time,open,high,low,close\n1704205800,100,101,99,100\n1704205860,100,101,99\n');
    await expect(cli(['--ticker', 'NQ1!', '--bars', bad])).rejects.toThrow('bars: line 3: close is missing');
    expect((await cli([])).code).toBe(2);
  });
});
