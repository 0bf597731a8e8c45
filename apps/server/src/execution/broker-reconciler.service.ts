import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { AccountsReader } from '../accounts/accounts.reader.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { LogsService } from '../logs/logs.service.js';
import { InstrumentCatalogue } from '../market/instrument-catalogue.js';
import { PluginHostService } from '../plugins/plugin-host.service.js';
import { FillIntake } from './fill-intake.service.js';
import { OrderRouter } from './order-router.service.js';
import { OPEN_STATUSES } from './order-states.service.js';
import { Order } from './order.entity.js';

/** At start, before anything new is ordered: the ledger catches up with the brokers, and working orders go back to them. */
@Injectable()
export class BrokerReconciler implements OnApplicationBootstrap {
  private readonly console = new Logger(BrokerReconciler.name);

  constructor(
    @InjectRepository(Order) private readonly orders: Repository<Order>,
    private readonly accounts: AccountsReader,
    private readonly plugins: PluginHostService,
    private readonly ledger: LedgerService,
    private readonly logs: LogsService,
    private readonly instruments: InstrumentCatalogue,
    private readonly router: OrderRouter,
    private readonly intake: FillIntake,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * After a start the ledger first catches up with brokers that can tell what happened while the
   * server was down (fills it missed, positions it disagrees with); then orders that are still
   * working (or recorded but never sent outside an event) are sent to their brokers again: a broker
   * treats the same clientOrderId as the same order, and one that kept nothing across the restart
   * (the paper broker) takes its resting orders back. Orders of unfinished events are sent again
   * when their event is replayed.
   */
  async onApplicationBootstrap(): Promise<void> {
    if (this.config.role === 'api') return;
    // Fills booked while catching up are priced with the broker's tick for tickers outside the catalog.
    for (const order of await this.orders.findBy({ status: In([...OPEN_STATUSES]) })) {
      const broker = this.plugins.broker((await this.accounts.byId(order.accountId))?.broker ?? '');
      if (broker) await this.instruments.brokerInstruments.learn(order.ticker, broker, (message) => this.console.warn(message));
    }
    await this.reconcileWithBrokers();
    const open = await this.orders.findBy({ status: In([...OPEN_STATUSES]) });
    let resent = 0;
    for (const order of open.filter((o) => o.status === 'working' || o.eventId === null)) {
      try {
        if (await this.router.resume(order)) resent++;
      } catch (error) {
        await this.logs.write({
          level: 'error',
          category: 'order',
          strategyId: order.strategyId,
          message: `could not restore working order ${order.clientOrderId}: ${(error as Error).message}`,
        });
      }
    }
    if (resent)
      await this.logs.write({
        level: 'info',
        category: 'system',
        message: `restored ${resent} working order(s) at their brokers after the start`,
      });
  }

  /**
   * Books the fills a broker reports that the ledger does not have (each fill id is booked once,
   * so the ones it has are skipped), then compares each account's net position per ticker with the
   * broker's. A difference is logged as an error for the trader to settle, never corrected
   * silently: which strategy a stray contract belongs to is the trader's call.
   */
  private async reconcileWithBrokers(): Promise<void> {
    for (const account of await this.accounts.all()) {
      const broker = this.plugins.broker(account.broker);
      if (!broker?.snapshot) continue;
      try {
        const snapshot = await broker.snapshot(account.brokerAccountId);
        const fillsBefore = await this.ledger.countFills(account.id);
        for (const fill of [...snapshot.fills].sort((a, b) => a.time - b.time)) {
          const known = await this.orders.existsBy({ clientOrderId: fill.clientOrderId });
          await this.intake.onFill(
            account.broker,
            known ? fill : { ...fill, brokerAccountId: fill.brokerAccountId ?? account.brokerAccountId },
          );
        }
        const missed = (await this.ledger.countFills(account.id)) - fillsBefore;
        const held = new Map<string, number>();
        for (const p of await this.ledger.netPositions(account.id)) held.set(p.ticker, p.quantity);
        const differences: string[] = [];
        const tickers = new Set([...held.keys(), ...snapshot.positions.map((p) => this.instruments.resolve(p.ticker).ticker)]);
        for (const ticker of tickers) {
          const atBroker = snapshot.positions
            .filter((p) => this.instruments.resolve(p.ticker).ticker === ticker)
            .reduce((n, p) => n + p.quantity, 0);
          const inLedger = held.get(ticker) ?? 0;
          if (atBroker !== inLedger) differences.push(`${ticker}: the broker holds ${atBroker}, the ledger ${inLedger}`);
        }
        await this.logs.write({
          level: differences.length ? 'error' : 'info',
          category: 'system',
          message:
            `reconciled account ${account.name} with ${account.broker}: ` +
            `${missed} fill(s) the ledger missed booked; ` +
            (differences.length ? `positions differ (${differences.join('; ')}): settle them at the broker or flatten` : 'positions agree'),
        });
      } catch (error) {
        await this.logs.write({
          level: 'error',
          category: 'system',
          message: `could not reconcile account ${account.name} with ${account.broker}: ${(error as Error).message}`,
        });
      }
    }
  }
}
