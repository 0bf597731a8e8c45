import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { appendFile, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Quote } from '@tradeloop/contracts';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { LogsService } from '../logs/logs.service.js';
import { MarketService } from '../market/market.service.js';

/** Lines are written at least this often (and when this many bytes wait). */
const FLUSH_MS = 500;
const FLUSH_BYTES = 64 * 1024;

/** A ticker as a folder name: `NQ1!` → `NQ1_`. */
export const tickerFolder = (ticker: string) => ticker.replace(/[^A-Za-z0-9._-]/g, '_');

/** Where a ticker's quotes of one UTC day are recorded. */
export const quoteFile = (historyDir: string, ticker: string, date: string) =>
  join(historyDir, 'quotes', tickerFolder(ticker), `${date}.csv`);

interface DayFile {
  path: string;
  bytes: number;
  pending: string[];
  pendingBytes: number;
  full: boolean;
}

/**
 * Records the quotes of the configured tickers, as this server received them (`time,bid,ask`, the
 * time the server had it), one CSV per ticker and UTC day under `<dataDir>/history/quotes`, at
 * most `recordMaxBytesPerDay` each. Only quotes from this process's own feeds are recorded, so a
 * cluster records each quote once. With the webhook events (every alert) they replay a live day.
 */
@Injectable()
export class QuoteRecorder implements OnModuleInit, OnModuleDestroy {
  readonly historyDir: string;
  private readonly tickers = new Set<string>();
  private readonly files = new Map<string, DayFile>();
  private off?: () => void;
  private timer?: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly market: MarketService,
    private readonly logs: LogsService,
  ) {
    this.historyDir = join(config.dataDir, 'history');
    for (const ticker of config.backtests.recordTickers) this.tickers.add(market.catalog.canonical(ticker));
  }

  async onModuleInit(): Promise<void> {
    if (!this.tickers.size) return;
    await this.market.subscribe([...this.tickers]).catch(() => undefined);
    this.off = this.market.onQuote((quote, origin) => {
      if (origin === 'local' && this.tickers.has(quote.ticker) && !quote.simulated) this.record(quote);
    });
    this.timer = setInterval(() => void this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.off?.();
    clearInterval(this.timer);
    await this.flush();
  }

  private record(quote: Quote): void {
    const now = Date.now();
    const date = new Date(now).toISOString().slice(0, 10);
    const key = `${quote.ticker}\0${date}`;
    let file = this.files.get(key);
    if (!file) {
      for (const [k] of this.files) if (k.startsWith(`${quote.ticker}\0`)) this.files.delete(k);
      file = { path: quoteFile(this.historyDir, quote.ticker, date), bytes: -1, pending: [], pendingBytes: 0, full: false };
      this.files.set(key, file);
    }
    if (file.full) return;
    const line = `${now},${quote.bid},${quote.ask}\n`;
    file.pending.push(line);
    file.pendingBytes += line.length;
    if (file.pendingBytes >= FLUSH_BYTES) void this.flush();
  }

  /** Writes what waits; resolves once it is on disk (a replay calls it first). */
  flush(): Promise<void> {
    this.writing = this.writing.then(async () => {
      for (const file of this.files.values()) {
        if (!file.pending.length) continue;
        const lines = file.pending;
        file.pending = [];
        file.pendingBytes = 0;
        try {
          if (file.bytes < 0) {
            await mkdir(join(file.path, '..'), { recursive: true });
            file.bytes = (await stat(file.path).catch(() => null))?.size ?? 0;
            if (file.bytes === 0) lines.unshift('time,bid,ask\n');
          }
          let text = '';
          for (const line of lines) {
            if (file.bytes + text.length + line.length > this.config.backtests.recordMaxBytesPerDay) {
              file.full = true;
              await this.logs.write({
                level: 'warn',
                category: 'system',
                message: `quote recording of ${file.path.split(/[\\/]/).slice(-2).join('/')} reached backtests.recordMaxBytesPerDay (${this.config.backtests.recordMaxBytesPerDay} bytes): the rest of the day is not recorded`,
              });
              break;
            }
            text += line;
          }
          await appendFile(file.path, text);
          file.bytes += text.length;
        } catch (error) {
          await this.logs
            .write({ level: 'warn', category: 'system', message: `quote recording failed: ${(error as Error).message.slice(0, 300)}` })
            .catch(() => undefined);
        }
      }
    });
    return this.writing;
  }
}
