import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { installBrokerPlugin } from './broker-plugin.js';

/**
 * A broker the way a real one behaves across our crashes: it keeps its orders (a journal file,
 * each line with the time it was placed), treats a clientOrderId it has seen as the same order,
 * answers slowly (so a kill lands while it works), and reports fills again for an order it
 * already has (fill ids are stable).
 */
const JOURNAL_BROKER = `
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
export default {
  kind: 'broker',
  apiVersion: 1,
  create(ctx) {
    const journal = ctx.config.journal;
    const orders = () => (existsSync(journal) ? readFileSync(journal, 'utf8').split('\\n').filter(Boolean).map((l) => JSON.parse(l)) : []);
    const fill = (o) => ctx.reportFill({ fillId: 'F-' + o.clientOrderId, clientOrderId: o.clientOrderId, brokerOrderId: o.brokerOrderId, ticker: o.ticker, side: o.side, quantity: o.quantity, price: o.price, commission: 0, time: Date.now() });
    return {
      async placeOrder(order) {
        const known = orders().find((o) => o.clientOrderId === order.clientOrderId);
        if (known) {
          await fill(known);
          return { brokerOrderId: known.brokerOrderId, status: 'filled' };
        }
        await new Promise((r) => setTimeout(r, ctx.config.delayMs));
        const placed = { clientOrderId: order.clientOrderId, brokerOrderId: 'B-' + order.clientOrderId, ticker: order.ticker, side: order.side, quantity: order.quantity, price: order.referencePrice ?? 100, at: Date.now() };
        appendFileSync(journal, JSON.stringify(placed) + '\\n');
        await new Promise((r) => setTimeout(r, ctx.config.delayMs));
        await fill(placed);
        return { brokerOrderId: placed.brokerOrderId, status: 'filled' };
      },
      async cancelOrder() {
        return false;
      },
    };
  },
};
`;

/** Installs the journal broker as a plugin under `dir/plugins`; returns the plugins folder and the journal's path. */
export function installJournalBroker(dir: string): { pluginsDir: string; journal: string } {
  const pluginsDir = join(dir, 'plugins');
  installBrokerPlugin(pluginsDir, 'journal-broker', JOURNAL_BROKER);
  return { pluginsDir, journal: join(dir, 'broker-journal.jsonl') };
}

/** The orders at the broker, in the order they were placed. */
export function journaled(journal: string): { clientOrderId: string; at: number }[] {
  if (!existsSync(journal)) return [];
  return readFileSync(journal, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { clientOrderId: string; at: number });
}
