import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import {
  pluginKinds,
  type AccountSettingsSchema,
  type BrokerAccount,
  type BrokerContext,
  type BrokerFill,
  type BrokerPlugin,
  type DataFeedContext,
  type DataFeedPlugin,
  type OrderUpdate,
  type PluginInfo,
  type PluginLogger,
  type RecordedOrder,
} from '@tradeloop/contracts';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { EventBus } from '../infra/events/event-bus.js';
import { LogsService } from '../logs/logs.service.js';
import { MarketService } from '../market/market.service.js';
import { checkPluginModule, parseManifest } from './plugin-manifest.js';
import { DomainEvents } from '../infra/events/domain-events.js';

interface LoadedPlugin extends PluginInfo {
  broker?: BrokerPlugin;
  feed?: DataFeedPlugin;
}

/** True when a plugin of this kind executes orders. */
export const providesBroker = (kind: PluginInfo['kind']): boolean => pluginKinds(kind).includes('broker');

/** Where brokers' fills and order updates go, and where they read the orders on record; the execution module registers itself here. */
export interface BrokerEventSink {
  onFill(broker: string, fill: BrokerFill): Promise<void>;
  onOrderUpdate(broker: string, update: OrderUpdate): Promise<void>;
  openOrders(broker: string): Promise<RecordedOrder[]>;
}

/** Where broker plugins read their accounts; the accounts module registers itself here. */
export interface BrokerAccountSource {
  accounts(broker: string): Promise<BrokerAccount[]>;
}

/**
 * Finds `plugins/<name>/package.json` files with a `tradeloop` manifest, imports each entry and
 * creates it. A plugin that fails is reported (log, /api/health) and left out; the server starts anyway.
 */
@Injectable()
export class PluginHostService implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly plugins: LoadedPlugin[] = [];
  private sink?: BrokerEventSink;
  private accountSource?: BrokerAccountSource;
  /** Per plugin name: who wants to hear that its accounts changed. */
  private readonly accountListeners = new Map<string, Set<() => void>>();
  private readonly console = new Logger('Plugins');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly market: MarketService,
    private readonly logs: LogsService,
    private readonly bus: EventBus,
    events: DomainEvents,
  ) {
    // A broker plugin re-reads its accounts when one of them is created or changed.
    events.on('AccountsChanged', ({ broker }) => this.accountsChanged(broker));
  }

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
        await plugin.broker?.start?.();
        await plugin.feed?.start?.();
        plugin.status = 'started';
        if (plugin.feed) this.market.feedStarted(plugin.name);
      } catch (error) {
        await this.stopQuietly(plugin);
        await this.fail(plugin, `failed to start: ${(error as Error).message}`);
      }
    }
  }

  /**
   * After every module's destroy hook: the queue has finished its in-flight events by then, and an
   * event still running must find its broker up, not a rejection for a stopped plugin.
   */
  async beforeApplicationShutdown(): Promise<void> {
    for (const plugin of this.plugins) {
      if (plugin.status !== 'started') continue;
      await this.stopQuietly(plugin);
      plugin.status = 'stopped';
    }
  }

  setBrokerSink(sink: BrokerEventSink): void {
    this.sink = sink;
  }

  setAccountSource(source: BrokerAccountSource): void {
    this.accountSource = source;
  }

  /** Tells a broker plugin that one of its accounts was created or changed. */
  accountsChanged(broker: string): void {
    for (const listener of this.accountListeners.get(broker) ?? []) {
      try {
        listener();
      } catch (error) {
        this.console.error(`${broker} failed to take an account change: ${(error as Error).message}`);
      }
    }
  }

  list(): PluginInfo[] {
    return this.plugins.map(({ name, kind, displayName, status, error, accountSettings }) => ({
      name,
      kind,
      displayName,
      status,
      error,
      accountSettings,
    }));
  }

  /** What an account of the broker plugin takes (its manifest's `accountSettings`), or null. */
  accountSettings(name: string): AccountSettingsSchema | null {
    return this.plugins.find((p) => p.name === name)?.accountSettings ?? null;
  }

  /** The started broker plugin with this name, or undefined. */
  broker(name: string): BrokerPlugin | undefined {
    return this.plugins.find((p) => p.name === name && p.broker && p.status === 'started')?.broker;
  }

  private async load(name: string, folder: string): Promise<void> {
    const plugin: LoadedPlugin = { name, kind: null, displayName: name, status: 'failed', error: null, accountSettings: null };
    this.plugins.push(plugin);
    try {
      const manifest = parseManifest(JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')));
      plugin.kind = manifest.kind;
      plugin.displayName = manifest.displayName ?? name;
      plugin.accountSettings = manifest.accountSettings ?? null;
      // An api process places no orders and runs no feeds: workers do.
      if (this.config.role === 'api') {
        plugin.status = 'remote';
        return;
      }
      const entry = join(folder, manifest.entry);
      if (!existsSync(entry)) throw new Error(`entry ${manifest.entry} not found (is the plugin built?)`);
      const module = checkPluginModule(((await import(pathToFileURL(entry).href)) as { default?: unknown }).default, manifest);
      const base = {
        config: { ...manifest.defaults, ...(this.config.plugins.settings[name] ?? {}) },
        logger: this.pluginLogger(name),
        instrument: (ticker: string) => this.market.instrument(ticker),
      };
      const feedContext: DataFeedContext = {
        ...base,
        publish: (quote) => this.market.publish(quote, name),
        reportStatus: (status) => this.market.reportFeedStatus(name, status),
      };
      const brokerContext: BrokerContext = {
        ...base,
        quotes: this.market,
        reportFill: (fill) => this.requireSink().onFill(name, fill),
        reportOrderUpdate: (update) => this.requireSink().onOrderUpdate(name, update),
        openOrders: () => this.requireSink().openOrders(name),
        reportStatus: (status) =>
          this.bus.publish('BROKER', {
            name,
            account: typeof status.account === 'string' ? status.account.slice(0, 100) : null,
            connected: status.connected === true,
            error: typeof status.error === 'string' ? status.error.slice(0, 500) : null,
            loginExpiresAt: Number.isFinite(status.loginExpiresAt) ? Number(status.loginExpiresAt) : null,
            time: Date.now(),
          }),
        accounts: () => this.requireAccountSource().accounts(name),
        onAccountsChanged: (listener) => {
          let listeners = this.accountListeners.get(name);
          if (!listeners) this.accountListeners.set(name, (listeners = new Set()));
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
      };
      if (module.kind === 'datafeed') plugin.feed = module.create(feedContext);
      else if (module.kind === 'broker') plugin.broker = module.create(brokerContext);
      else {
        const { broker, datafeed } = module.create({ broker: brokerContext, datafeed: feedContext });
        plugin.broker = broker;
        plugin.feed = datafeed;
      }
      if (plugin.feed)
        this.market.registerFeed(name, plugin.feed, { fallback: manifest.fallback === true, simulated: manifest.simulated === true });
      plugin.status = 'loaded';
    } catch (error) {
      await this.fail(plugin, (error as Error).message);
    }
  }

  private requireAccountSource(): BrokerAccountSource {
    if (!this.accountSource) throw new Error('no accounts service registered for broker plugins');
    return this.accountSource;
  }

  private async stopQuietly(plugin: LoadedPlugin): Promise<void> {
    for (const part of [plugin.feed, plugin.broker]) {
      try {
        await part?.stop?.();
      } catch (error) {
        this.console.error(`${plugin.name} failed to stop: ${(error as Error).message}`);
      }
    }
  }

  private requireSink(): BrokerEventSink {
    if (!this.sink) throw new Error('no execution service registered for broker events');
    return this.sink;
  }

  private async fail(plugin: LoadedPlugin, message: string): Promise<void> {
    plugin.status = 'failed';
    plugin.error = message;
    if (pluginKinds(plugin.kind).includes('datafeed')) this.market.unregisterFeed(plugin.name);
    await this.logs.write({ level: 'error', category: 'plugin', message: `plugin ${plugin.name}: ${message}` });
  }

  private pluginLogger(name: string): PluginLogger {
    const write = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string) => {
      void this.logs.write({ level, category: 'plugin', message: `${name}: ${message}` }).catch(() => undefined);
    };
    return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
  }
}
