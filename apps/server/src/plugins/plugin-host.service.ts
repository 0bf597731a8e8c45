import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { BrokerFill, BrokerPlugin, DataFeedPlugin, OrderUpdate, PluginKind, PluginLogger } from '@tradeloop/contracts';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { LogsService } from '../logs/logs.service.js';
import { MarketService } from '../market/market.service.js';
import { checkPluginModule, parseManifest } from './plugin-manifest.js';

export type PluginStatus = 'loaded' | 'started' | 'failed' | 'stopped';

export interface PluginInfo {
  name: string;
  kind: PluginKind | null;
  displayName: string;
  status: PluginStatus;
  error: string | null;
}

interface LoadedPlugin extends PluginInfo {
  instance?: BrokerPlugin | DataFeedPlugin;
}

/** Where brokers' fills and order updates go; the execution module registers itself here. */
export interface BrokerEventSink {
  onFill(broker: string, fill: BrokerFill): Promise<void>;
  onOrderUpdate(broker: string, update: OrderUpdate): Promise<void>;
}

/**
 * Finds `plugins/<name>/package.json` files with a `tradeloop` manifest, imports each entry and
 * creates it. A plugin that fails is reported (log, /api/health) and left out; the server starts anyway.
 */
@Injectable()
export class PluginHostService implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly plugins: LoadedPlugin[] = [];
  private sink?: BrokerEventSink;
  private readonly console = new Logger('Plugins');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly market: MarketService,
    private readonly logs: LogsService,
  ) {}

  async onModuleInit(): Promise<void> {
    const dir = resolve(this.config.plugins.dir);
    if (!existsSync(dir)) {
      this.console.warn(`plugin folder ${dir} does not exist`);
      return;
    }
    // A plugin folder may be a symlink (a plugin developed in its own checkout): existsSync follows it.
    const names = readdirSync(dir)
      .filter((name) => existsSync(join(dir, name, 'package.json')))
      .filter((name) => !this.config.plugins.disabled.includes(name))
      .sort();
    for (const name of names) await this.load(name, join(dir, name));
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const plugin of this.plugins) {
      if (plugin.status !== 'loaded') continue;
      try {
        await plugin.instance?.start?.();
        plugin.status = 'started';
        if (plugin.kind === 'datafeed') this.market.feedStarted(plugin.name);
      } catch (error) {
        await this.fail(plugin, `failed to start: ${(error as Error).message}`);
      }
    }
  }

  async onModuleDestroy(): Promise<void> {
    for (const plugin of this.plugins) {
      if (plugin.status !== 'started') continue;
      try {
        await plugin.instance?.stop?.();
        plugin.status = 'stopped';
      } catch (error) {
        this.console.error(`${plugin.name} failed to stop: ${(error as Error).message}`);
      }
    }
  }

  setBrokerSink(sink: BrokerEventSink): void {
    this.sink = sink;
  }

  list(): PluginInfo[] {
    return this.plugins.map(({ name, kind, displayName, status, error }) => ({ name, kind, displayName, status, error }));
  }

  /** The started broker plugin with this name, or undefined. */
  broker(name: string): BrokerPlugin | undefined {
    const plugin = this.plugins.find((p) => p.name === name && p.kind === 'broker' && p.status === 'started');
    return plugin?.instance as BrokerPlugin | undefined;
  }

  private async load(name: string, folder: string): Promise<void> {
    const plugin: LoadedPlugin = { name, kind: null, displayName: name, status: 'failed', error: null };
    this.plugins.push(plugin);
    try {
      const manifest = parseManifest(JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')));
      plugin.kind = manifest.kind;
      plugin.displayName = manifest.displayName ?? name;
      const entry = join(folder, manifest.entry);
      if (!existsSync(entry)) throw new Error(`entry ${manifest.entry} not found (is the plugin built?)`);
      const module = checkPluginModule(((await import(pathToFileURL(entry).href)) as { default?: unknown }).default, manifest);
      const base = {
        config: { ...manifest.defaults, ...(this.config.plugins.settings[name] ?? {}) },
        logger: this.pluginLogger(name),
        instrument: (ticker: string) => this.market.instrument(ticker),
      };
      if (module.kind === 'datafeed') {
        const feed = module.create({
          ...base,
          publish: (quote) => this.market.publish(quote, name),
          reportStatus: (status) => this.market.reportFeedStatus(name, status),
        });
        this.market.registerFeed(name, feed, { fallback: manifest.fallback === true });
        plugin.instance = feed;
      } else {
        plugin.instance = module.create({
          ...base,
          quotes: this.market,
          reportFill: (fill) => this.requireSink().onFill(name, fill),
          reportOrderUpdate: (update) => this.requireSink().onOrderUpdate(name, update),
        });
      }
      plugin.status = 'loaded';
    } catch (error) {
      await this.fail(plugin, (error as Error).message);
    }
  }

  private requireSink(): BrokerEventSink {
    if (!this.sink) throw new Error('no execution service registered for broker events');
    return this.sink;
  }

  private async fail(plugin: LoadedPlugin, message: string): Promise<void> {
    plugin.status = 'failed';
    plugin.error = message;
    if (plugin.kind === 'datafeed') this.market.unregisterFeed(plugin.name);
    await this.logs.write({ level: 'error', category: 'plugin', message: `plugin ${plugin.name}: ${message}` });
  }

  private pluginLogger(name: string): PluginLogger {
    const write = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string) => {
      void this.logs.write({ level, category: 'plugin', message: `${name}: ${message}` }).catch(() => undefined);
    };
    return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
  }
}
