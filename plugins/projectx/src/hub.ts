import {
  HttpTransportType,
  HubConnectionBuilder,
  HubConnectionState,
  LogLevel,
  type HubConnection,
  type ILogger,
} from '@microsoft/signalr';
import { errorText, type PluginLogger } from '@tradeloop/contracts';

export interface HubOptions {
  /** `https://rtc.topstepx.com/hubs/user` */
  url: string;
  /** The current session token (after a renewal, the renewed one). */
  token: () => Promise<string>;
  /** Longest pause between reconnection attempts. */
  reconnectMaxMs: number;
  logger: PluginLogger;
  /** Called after every (re)connection, before events are trusted again: subscribe here. */
  subscribe: (hub: HubConnection) => Promise<void>;
  /** Connection changes, in words (for the feed's status and the log). */
  onState?: (connected: boolean, reason: string | null, reconnects: number) => void;
  name: string;
}

/** signalr's own log, into the plugin's at debug (warnings and errors as warnings), token-free. */
const hubLogger = (logger: PluginLogger, name: string): ILogger => ({
  log: (level, message) => {
    const text = `${name} hub: ${message.replace(/access_token=[^&\s]+/g, 'access_token=***')}`.slice(0, 500);
    if (level >= LogLevel.Warning) logger.warn(text);
    else if (level >= LogLevel.Information) logger.debug(text);
  },
});

/**
 * One ProjectX SignalR hub (user or market) through Microsoft's client: WebSockets only, no
 * negotiation (as ProjectX's examples connect), the token in `access_token`, automatic reconnection
 * with a growing pause, and every subscription made again after each reconnection. A connection that
 * the client gives up on (or that never started) is started again by this class, forever, until stop().
 */
export class Hub {
  private connection?: HubConnection;
  private stopped = false;
  private retry?: NodeJS.Timeout;
  private attempts = 0;
  private reconnects = 0;
  private readonly handlers: [string, (...args: unknown[]) => void][] = [];

  constructor(private readonly options: HubOptions) {}

  get connected(): boolean {
    return this.connection?.state === HubConnectionState.Connected;
  }

  on(event: string, handler: (...args: unknown[]) => void): void {
    this.handlers.push([event, handler]);
    this.connection?.on(event, handler);
  }

  /** Sends a hub method when connected; while disconnected nothing is sent (the resubscription covers it). */
  async invoke(method: string, ...args: unknown[]): Promise<void> {
    if (!this.connection || !this.connected) return;
    await this.connection.invoke(method, ...args);
  }

  async start(): Promise<void> {
    this.stopped = false;
    try {
      await this.connect();
    } catch (error) {
      if (this.stopped) return;
      const reason = (error as Error).message.replace(/access_token=[^&\s]+/g, 'access_token=***');
      this.options.logger.warn(`${this.options.name} hub could not connect: ${reason.slice(0, 300)}`);
      this.options.onState?.(false, `cannot connect: ${reason.slice(0, 200)}`, this.reconnects);
      this.schedule(this.delay(this.attempts++));
    }
  }

  private delay(attempt: number): number {
    return Math.min(this.options.reconnectMaxMs, 100 * 2 ** Math.min(attempt, 12)) * (0.75 + Math.random() / 2);
  }

  private async connect(): Promise<void> {
    const delay = (attempt: number) => this.delay(attempt);
    const token = await this.options.token();
    if (this.stopped) return;
    const connection = new HubConnectionBuilder()
      // As ProjectX's examples connect: the token in the URL; the client also sends it as a bearer header, fresh on every reconnection.
      .withUrl(`${this.options.url}?access_token=${encodeURIComponent(token)}`, {
        skipNegotiation: true,
        transport: HttpTransportType.WebSockets,
        accessTokenFactory: () => this.options.token(),
      })
      .withAutomaticReconnect({ nextRetryDelayInMilliseconds: (context) => delay(context.previousRetryCount) })
      .configureLogging(hubLogger(this.options.logger, this.options.name))
      .build();
    for (const [event, handler] of this.handlers) connection.on(event, handler);
    connection.onreconnecting((error) =>
      this.options.onState?.(false, error ? `reconnecting: ${error.message}` : 'reconnecting', this.reconnects),
    );
    connection.onreconnected(() => {
      this.reconnects++;
      this.options.logger.info(`${this.options.name} hub reconnected: subscribing again`);
      void this.resubscribe(connection);
    });
    connection.onclose((error) => {
      if (this.stopped || connection !== this.connection) return;
      this.options.onState?.(false, error ? `disconnected: ${error.message}` : 'disconnected', this.reconnects);
      this.schedule(delay(this.attempts++));
    });
    this.connection = connection;
    await connection.start();
    if (this.stopped || this.connection !== connection) {
      await connection.stop();
      return;
    }
    this.attempts = 0;
    await this.resubscribe(connection);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const connection = this.connection;
    this.connection = undefined;
    await connection?.stop().catch(() => undefined);
  }

  private schedule(ms: number): void {
    clearTimeout(this.retry);
    this.retry = setTimeout(() => {
      if (this.stopped) return;
      const old = this.connection;
      this.connection = undefined;
      void old?.stop().catch(() => undefined);
      this.reconnects++;
      void this.start();
    }, ms);
    this.retry.unref?.();
  }

  private async resubscribe(connection: HubConnection): Promise<void> {
    try {
      await this.options.subscribe(connection);
      this.options.onState?.(true, null, this.reconnects);
    } catch (error) {
      this.options.logger.warn(`${this.options.name} hub subscription failed: ${errorText(error)}`);
      this.options.onState?.(false, `subscription failed: ${(error as Error).message.slice(0, 200)}`, this.reconnects);
    }
  }
}
