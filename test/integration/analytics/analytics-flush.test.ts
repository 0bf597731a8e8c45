import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TradeData } from '@tradeloop/contracts';
import type { DataSource, EntitySubscriberInterface } from 'typeorm';
import {
  AnalyticsRecorder,
  EXCURSIONS_PER_COMMIT,
  TIMELINES_PER_COMMIT,
} from '../../../apps/server/src/analytics/analytics-recorder.service.js';
import { AnalyticsSql } from '../../../apps/server/src/analytics/analytics-sql.js';
import { ExecutionStamps } from '../../../apps/server/src/analytics/execution-stamps.js';
import { loadConfig } from '../../../apps/server/src/config/load-config.js';
import { DatabaseService } from '../../../apps/server/src/database/database.service.js';
import { Statements } from '../../../apps/server/src/database/statements.js';
import { EventBus } from '../../../apps/server/src/infra/events/event-bus.js';
import { ProcessNotes } from '../../../apps/server/src/infra/events/process-notes.js';
import { InstrumentCatalogue } from '../../../apps/server/src/market/instrument-catalogue.js';
import { MarketService } from '../../../apps/server/src/market/market.service.js';
import { openSchema } from '../../support/schema.js';
import { turnCounter } from '../../support/turns.js';

const ORDERS = 2 * TIMELINES_PER_COMMIT + 88;
const TRADES = 2 * EXCURSIONS_PER_COMMIT + 44;
const orderId = (i: number) => `order-${String(i).padStart(4, '0')}`;
const tradeId = (i: number) => `trade-${String(i).padStart(4, '0')}`;

/**
 * Under a flood the recorder has thousands of timelines and closed trades to write each second. In
 * one commit they held the event loop 40–75 ms (every webhook waiting for its answer waited that
 * much more); they are written in pieces instead, each its own commit, the loop turning between
 * them. Every row still lands once.
 */
describe.each(['sqlite', 'postgres'] as const)("the analytics recorder's flush on %s", (kind) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let recorder: AnalyticsRecorder;
  let stamps: ExecutionStamps;
  let bus: EventBus;

  beforeAll(async () => {
    ({ dataSource, close } = await openSchema(kind));
    const database = new DatabaseService(dataSource);
    const config = loadConfig({ env: {} });
    bus = new EventBus();
    stamps = new ExecutionStamps();
    const market = new MarketService(config, bus, new ProcessNotes(), new InstrumentCatalogue(config));
    recorder = new AnalyticsRecorder(stamps, bus, market, database, new AnalyticsSql(database, new Statements(database)), true);
    await recorder.onApplicationBootstrap();
  });
  afterAll(() => close?.());

  const count = async (table: string) =>
    Number(((await dataSource.query(`SELECT count(*) AS "n" FROM "${table}"`)) as { n: unknown }[])[0].n);

  it(`writes ${ORDERS} timelines and ${TRADES} excursions in pieces, one commit each, the event loop turning between them`, async () => {
    const at = Date.now() - 5_000;
    for (let i = 0; i < ORDERS; i++) {
      const id = orderId(i);
      stamps.orderSent(
        { id, eventId: null, strategyId: 's1', accountId: 'paper', ticker: 'NQ1!', side: 'buy', signalPrice: 25_000 },
        at + i,
      );
      stamps.orderSettled(id); // rejected: nothing more comes, so it is ready at once
    }
    for (let i = 0; i < TRADES; i++) {
      const trade: TradeData = {
        id: tradeId(i),
        accountId: 'paper',
        strategyId: 's1',
        ticker: 'NQ1!',
        direction: i % 2 ? 'short' : 'long',
        quantity: 1,
        entryPrice: 25_000,
        exitPrice: 25_001,
        entryTime: at + i,
        exitTime: at + i + 500,
        pnl: i % 2 ? -20 : 20,
        entryPriceSource: 'fill',
        exitPriceSource: 'fill',
      };
      bus.publish('TRADE', trade);
    }

    // Which turn of the event loop each commit happened in.
    const turns = turnCounter();
    const commitTurns: number[] = [];
    const watcher: EntitySubscriberInterface = { afterTransactionCommit: () => void commitTurns.push(turns.turn) };
    dataSource.subscribers.push(watcher);
    try {
      await recorder.onModuleDestroy(); // stops the timer and writes everything ready
    } finally {
      turns.stop();
      dataSource.subscribers.splice(dataSource.subscribers.indexOf(watcher), 1);
    }

    expect(await count('order_timelines')).toBe(ORDERS);
    expect(await count('trade_excursions')).toBe(TRADES);
    const pieces = Math.max(Math.ceil(ORDERS / TIMELINES_PER_COMMIT), Math.ceil(TRADES / EXCURSIONS_PER_COMMIT));
    expect(pieces).toBe(3);
    expect(commitTurns).toHaveLength(pieces);
    expect(new Set(commitTurns).size).toBe(pieces);
    // What each row holds came through its piece: the last order's stamps, the last trade's excursion.
    const [timeline] = (await dataSource.query(
      `SELECT "sentAt", "referencePrice" FROM "order_timelines" WHERE "orderId" = '${orderId(ORDERS - 1)}'`,
    )) as Record<string, unknown>[];
    expect([Number(timeline.sentAt), Number(timeline.referencePrice)]).toEqual([at + ORDERS - 1, 25_000]);
    const [excursion] = (await dataSource.query(
      `SELECT "holdingMs" FROM "trade_excursions" WHERE "tradeId" = '${tradeId(TRADES - 1)}'`,
    )) as Record<string, unknown>[];
    expect(Number(excursion.holdingMs)).toBe(500);
  });
});
