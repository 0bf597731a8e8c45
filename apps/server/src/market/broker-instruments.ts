import type { BrokerPlugin, Instrument } from '@tradeloop/contracts';
import type { InstrumentCatalog } from '@tradeloop/domain';

/** Longest a broker is waited for when asked about an instrument. */
const ASK_TIMEOUT_MS = 3000;
/** Most instruments kept: beyond it the oldest answer is forgotten (and asked again when needed). */
const MAX_LEARNED = 5000;
const bounded = (n: unknown, max: number): n is number => typeof n === 'number' && Number.isFinite(n) && n > 0 && n <= max;

/**
 * Tick size and value of tickers outside the catalog, as a broker plugin tells them
 * (`BrokerPlugin.instrument`): a futures root the catalog lacks (ProjectX's `6E1!`), a stock, a
 * coin. Asked before an order in such a ticker goes to its broker; the answer prices the order's
 * fills, its P&L and its quotes from then on, instead of the stock-style default ($0.01 a 0.01 step).
 */
export class BrokerInstruments {
  private readonly learned = new Map<string, Instrument>();

  constructor(private readonly catalog: InstrumentCatalog) {}

  /** What a broker told about the canonical ticker, if anything. */
  get(canonical: string): Instrument | undefined {
    return this.learned.get(canonical);
  }

  /** Asks the broker about a ticker the catalog does not know (once; a failure or no answer leaves the default). */
  async learn(ticker: string, broker: Pick<BrokerPlugin, 'instrument'>, warn: (message: string) => void): Promise<void> {
    if (!broker.instrument) return;
    let canonical: string;
    try {
      if (this.catalog.knows(ticker)) return;
      canonical = this.catalog.canonical(ticker);
    } catch {
      return;
    }
    if (this.learned.has(canonical)) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      const told = await Promise.race([
        broker.instrument(canonical),
        new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ASK_TIMEOUT_MS))),
      ]);
      if (!told) return;
      if (!bounded(told.tickSize, 1e6) || !bounded(told.tickValue, 1e6)) {
        warn(
          `the broker told an unusable tick for ${canonical} (size ${String(told.tickSize)}, value ${String(told.tickValue)}): using the default`,
        );
        return;
      }
      if (this.learned.size >= MAX_LEARNED) this.learned.delete(this.learned.keys().next().value!);
      this.learned.set(canonical, {
        root: String(told.root || canonical).slice(0, 32),
        description: String(told.description || canonical).slice(0, 200),
        kind: told.kind === 'future' ? 'future' : 'equity',
        tickSize: told.tickSize,
        tickValue: told.tickValue,
      });
    } catch (error) {
      warn(`the broker could not tell the tick of ${canonical}: ${String((error as Error).message).slice(0, 200)}`);
    } finally {
      clearTimeout(timer);
    }
  }
}
