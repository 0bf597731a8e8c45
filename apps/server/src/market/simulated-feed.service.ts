import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { SimulatedFeedState } from '@tradeloop/contracts';
import { DatabaseService } from '../database/database.service.js';
import { LogsService } from '../logs/logs.service.js';
import { SystemSettings } from '../settings/system-settings.service.js';
import { MarketService } from './market.service.js';

const KEY = 'simulatedFeed';
/** Other processes pick a change up within this long. */
const REFRESH_MS = 5000;

/**
 * The trader's switch for the simulated feed (Settings), kept in the database so it holds across
 * restarts and for every process: each reads it at start and again every few seconds.
 */
@Injectable()
export class SimulatedFeedSetting implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly settings: SystemSettings,
    private readonly market: MarketService,
    private readonly database: DatabaseService,
    private readonly logs: LogsService,
  ) {}

  /** Before any feed starts, so a switched-off feed never quotes. */
  async onModuleInit(): Promise<void> {
    await this.market.setSimulatedFeed(await this.stored());
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  state(): SimulatedFeedState {
    return {
      on: this.market.simulatedFeedOn,
      feeds: this.market
        .feedStatus()
        .filter((f) => f.simulated)
        .map((f) => f.name),
    };
  }

  async set(on: boolean): Promise<SimulatedFeedState> {
    await this.database.transaction(async (m) => {
      await this.settings.write(KEY, { on }, m);
      await this.logs.write(
        {
          level: 'info',
          category: 'system',
          message: on
            ? 'simulated feed switched on: demo prices quote tickers no real feed quotes (paper fills still take an alert price first)'
            : 'simulated feed switched off: no demo prices; paper fills take a real quote or the alert price',
        },
        m,
      );
    });
    await this.market.setSimulatedFeed(on);
    return this.state();
  }

  private async refresh(): Promise<void> {
    try {
      await this.market.setSimulatedFeed(await this.stored());
    } catch {
      // The database is busy or away for a moment: the next refresh tries again.
    }
  }

  private async stored(): Promise<boolean> {
    const stored = await this.settings.read(KEY);
    if (stored === null) return true;
    try {
      return (JSON.parse(stored) as { on?: unknown }).on !== false;
    } catch {
      return true;
    }
  }
}
