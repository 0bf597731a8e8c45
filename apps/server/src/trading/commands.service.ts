import { GatewayTimeoutException, HttpException, Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { ProcessNotes } from '../infra/events/process-notes.js';
import type { EngineEvent, EventQueue, TradingCommand } from '../infra/queue/event-queue.js';
import { QueueConsumers } from '../infra/queue/queue-consumers.js';
import { EVENT_QUEUE } from '../infra/queue/queue.module.js';
import { TradingService } from './trading.service.js';

/** A worker that does not answer in this long: the api says so rather than hang. */
const ANSWER_TIMEOUT_MS = 15_000;
/** Commands share one partition: a trader's orders, cancels and flattens run in the order given. */
export const COMMANDS_PARTITION = 'commands';

type Op = TradingCommand['op'];
/** What an operation answers, as the caller gets it (from this process or a worker's). */
type Answer<O extends Op> = Awaited<ReturnType<TradingService[O]>>;

/**
 * Runs a trader's command where orders are placed: here in a single process (`role: all`), or in a
 * worker when this is an api process — through the event queue, with the answer coming back on
 * the event bus. Either way the caller gets the same result or the same HTTP error.
 */
@Injectable()
export class CommandsService implements OnModuleInit {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EVENT_QUEUE) private readonly queue: EventQueue,
    private readonly notes: ProcessNotes,
    private readonly trading: TradingService,
    private readonly consumers: QueueConsumers,
  ) {}

  /** A process that consumes the queue carries out the commands queued for it: this is their consumer. */
  onModuleInit(): void {
    if (this.config.role !== 'api') this.consumers.consume('command', (event) => this.execute(event));
  }

  async run<O extends Op>(op: O, ...args: Parameters<TradingService[O]>): Promise<Answer<O>> {
    if (this.config.role !== 'api') return this.call(op, args) as Promise<Answer<O>>;
    const commandId = randomUUID();
    const answer = new Promise<Answer<O>>((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(
          new GatewayTimeoutException(
            `no worker carried out the ${op} within ${ANSWER_TIMEOUT_MS / 1000} s; it stays queued (see /api/orders)`,
          ),
        );
      }, ANSWER_TIMEOUT_MS);
      const stop = this.notes.subscribe((data) => {
        if (data.kind !== 'command-result' || data.commandId !== commandId) return;
        clearTimeout(timer);
        stop();
        if (data.ok) resolve(data.result as Answer<O>);
        else reject(new HttpException({ statusCode: data.status, message: data.message }, data.status));
      });
    });
    await this.queue.enqueue(COMMANDS_PARTITION, {
      type: 'command',
      strategyId: COMMANDS_PARTITION,
      eventId: commandId,
      command: { op, args },
    });
    return answer;
  }

  /** In a worker: carries out a queued command and sends the answer back to whoever waits. */
  async execute(event: Extract<EngineEvent, { type: 'command' }>): Promise<void> {
    try {
      const result = await this.call(event.command.op, event.command.args);
      this.notes.publish({ kind: 'command-result', commandId: event.eventId, ok: true, result });
    } catch (error) {
      const status = error instanceof HttpException ? error.getStatus() : 500;
      const message = error instanceof HttpException ? describe(error) : 'the command failed on the worker; see the log';
      this.notes.publish({ kind: 'command-result', commandId: event.eventId, ok: false, status, message });
    }
  }

  private call(op: Op, args: unknown[]): Promise<unknown> {
    const t = this.trading as unknown as Record<Op, (...a: unknown[]) => Promise<unknown>>;
    return t[op].apply(this.trading, args);
  }
}

const describe = (error: HttpException): string => {
  const body = error.getResponse();
  if (typeof body === 'string') return body;
  const message = (body as { message?: unknown }).message;
  return Array.isArray(message) ? message.join('; ') : String(message ?? error.message);
};
