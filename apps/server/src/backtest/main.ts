// The backtest CLI's entry: `npm run backtest -- …` (see cli.ts).
import { HistoryError } from '@tradeloop/domain';
import { main, USAGE } from './cli.js';

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: Error) => {
    // A bad input (a file, an option) is the user's to fix: its message and the usage; anything else is a failure.
    const known =
      error instanceof HistoryError ||
      (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS') ||
      (error as NodeJS.ErrnoException).code === 'ENOENT';
    process.stderr.write(`${known ? '' : 'backtest failed: '}${error.message}\n${known ? `${USAGE}\n` : ''}`);
    process.exitCode = known ? 2 : 1;
  },
);
