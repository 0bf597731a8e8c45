import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Not, type Repository } from 'typeorm';
import { Fill } from './fill.entity.js';
import { Position } from './position.entity.js';
import { LedgerStore } from './ledger-store.js';

/** Which positions: every field optional; `open` keeps only those not flat; `keys` is a set of position keys (strategy or link ids). */
export interface PositionsWhere {
  accountId?: string;
  strategyId?: string;
  keys?: string[];
  ticker?: string;
  open?: boolean;
}

/**
 * What other modules may read of the ledger's positions and fills. The ledger alone writes them
 * (in the unit of work it is handed); everyone else reads through here, never the repository.
 */
@Injectable()
export class PositionsReader {
  constructor(
    @InjectRepository(Position) private readonly positions: Repository<Position>,
    @InjectRepository(Fill) private readonly fills: Repository<Fill>,
    private readonly store: LedgerStore,
  ) {}

  /** The position held under `key` (a strategy, a link, or none for manual trades) in `ticker`. */
  held(accountId: string, key: string, ticker: string): Promise<Position | null> {
    return this.store.position(undefined, accountId, key, ticker);
  }

  /** The quantity held under `key` in `ticker`, 0 when none. */
  quantityHeld(accountId: string, key: string, ticker: string): Promise<number> {
    return this.store.quantityHeld(accountId, key, ticker);
  }

  where(filter: PositionsWhere = {}): Promise<Position[]> {
    return this.store.positions(filter);
  }

  /** The account's net position in a ticker but the one held under `exceptKey`. */
  netQuantity(accountId: string, ticker: string, exceptKey: string): Promise<number> {
    return this.store.netQuantity(accountId, ticker, exceptKey);
  }

  countOpen(strategyId: string): Promise<number> {
    return this.positions.countBy({ strategyId, quantity: Not(0) });
  }

  /** The tickers anything is held in. */
  async heldTickers(): Promise<string[]> {
    const rows = await this.positions
      .createQueryBuilder('p')
      .select('DISTINCT p.ticker', 'ticker')
      .where('p.quantity <> 0')
      .getRawMany<{ ticker: string }>();
    return rows.map((r) => r.ticker);
  }

  fill(id: string): Promise<Fill | null> {
    return this.fills.findOneBy({ id });
  }
}
