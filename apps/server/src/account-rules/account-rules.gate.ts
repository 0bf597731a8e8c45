import { Injectable } from '@nestjs/common';
import type { Alert, OrderSide } from '@tradeloop/contracts';
import { activeLocks, checkOrder, RULE_LABELS } from '@tradeloop/domain';
import { PositionsReader } from '../ledger/positions.reader.js';
import { MarketService } from '../market/market.service.js';
import { StrategyLinksService } from '../strategies/strategy-links.service.js';
import type { Strategy } from '../strategies/strategy.entity.js';
import { AccountRulesStore } from './account-rules.store.js';

export interface GateOrder {
  accountId: string;
  ticker: string;
  side: OrderSide;
  quantity: number;
}

/**
 * What an account's prop-firm rules say before anything is sent: an order that would add exposure
 * on a locked account, outside its hours or over its contracts is refused with the rule and the
 * reason; an order toward flat always passes.
 */
@Injectable()
export class AccountRulesGate {
  constructor(
    private readonly store: AccountRulesStore,
    private readonly positions: PositionsReader,
    private readonly market: MarketService,
    private readonly links: StrategyLinksService,
  ) {}

  /**
   * The refusal in words, or null, in two steps. This reads what the answer depends on (the
   * account's rules, and its positions from the ledger, so a fill a moment ago counts) and returns
   * the decision, which awaits nothing: given the orders allowed but not yet in the positions
   * (signed quantities by ticker), it answers at once, so a caller can decide and take the room in
   * one step while other orders are checked beside it.
   */
  async prepare(order: GateOrder): Promise<(inFlight: ReadonlyMap<string, number[]>, now: number) => string | null> {
    await this.store.ready();
    if (!this.store.get(order.accountId)) return () => null;
    const positions = await this.heldByRoot(order.accountId);
    return (inFlight, now) => {
      const set = this.store.get(order.accountId);
      if (!set) return null;
      const answer = checkOrder(
        set.rules,
        { ...set.state, positions: this.withInFlight(positions, inFlight) },
        { at: now, root: this.root(order.ticker), side: order.side, quantity: order.quantity },
      );
      return answer.allowed ? null : `account rules: ${answer.reason}`;
    };
  }

  /**
   * The positions by root as they would be if the orders in flight filled — those that take each
   * root further from flat, the worse of the buys and the sells: an order the other way may never fill.
   */
  private withInFlight(positions: Record<string, number>, inFlight: ReadonlyMap<string, number[]>): Record<string, number> {
    const byRoot = new Map<string, { up: number; down: number }>();
    for (const [ticker, orders] of inFlight) {
      const root = this.root(ticker);
      const sums = byRoot.get(root) ?? { up: 0, down: 0 };
      for (const signed of orders) {
        if (signed > 0) sums.up += signed;
        else sums.down += signed;
      }
      byRoot.set(root, sums);
    }
    const out = { ...positions };
    for (const [root, { up, down }] of byRoot) {
      const held = out[root] ?? 0;
      out[root] = Math.abs(held + up) >= Math.abs(held + down) ? held + up : held + down;
    }
    return out;
  }

  /**
   * For the webhook intake: the refusal when every account the strategy trades is locked and the
   * alert could only add exposure there (an exit, a flat sentiment, a smaller target position or an
   * order against what is held may still go, and is decided per order). Null: accept the alert.
   */
  async alertRefusal(strategy: Strategy, alert: Alert, now = Date.now()): Promise<string | null> {
    await this.store.ready();
    if (alert.action === 'exit' || alert.action === 'cancel' || alert.sentiment === 'flat' || alert.positionSize === 0) return null;
    // The usual case costs no query: the strategy's own account is not locked.
    const own = this.store.get(strategy.accountId);
    if (!own || !activeLocks(own.state, now).length) return null;
    const accounts = [strategy.accountId, ...(await this.links.enabledFor(strategy.id)).map((link) => link.accountId)];
    const reasons: string[] = [];
    for (const accountId of accounts) {
      const set = this.store.get(accountId);
      const lock = set && activeLocks(set.state, now)[0];
      if (!set || !lock) return null;
      const held = alert.ticker ? ((await this.heldByRoot(accountId))[this.root(alert.ticker)] ?? 0) : 0;
      if (held !== 0 && reduces(alert, held)) return null;
      const until = lock.until === null ? 'for good' : `until ${new Date(lock.until).toISOString()}`;
      reasons.push(`account locked by its ${RULE_LABELS[lock.rule]} ${until}: ${lock.reason}; only closing orders pass`);
    }
    return reasons.length ? reasons.join('; ') : null;
  }

  private root(ticker: string): string {
    try {
      return this.market.instrument(ticker).root;
    } catch {
      return ticker.trim().toUpperCase();
    }
  }

  /** Signed contracts the account holds, by instrument root, over every strategy and manual position. */
  private async heldByRoot(accountId: string): Promise<Record<string, number>> {
    const rows = await this.positions.where({ accountId, open: true });
    const held: Record<string, number> = {};
    for (const row of rows) {
      const root = this.root(row.ticker);
      held[root] = (held[root] ?? 0) + row.quantity;
      if (held[root] === 0) delete held[root];
    }
    return held;
  }
}

/** Whether an alert can bring a held position toward flat (the engine then sizes it). */
function reduces(alert: Alert, held: number): boolean {
  if (alert.positionSize !== undefined)
    return Math.sign(alert.positionSize) === Math.sign(held) && Math.abs(alert.positionSize) < Math.abs(held);
  if (alert.sentiment === 'long' || alert.sentiment === 'short') return false;
  return (alert.action === 'sell' && held > 0) || (alert.action === 'buy' && held < 0);
}
