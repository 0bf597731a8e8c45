import { Injectable } from '@nestjs/common';
import type { OrderSide } from '@tradeloop/contracts';

/** What the webhook intake knows of an alert when it queues it: carried with the queued event. */
export interface AlertStamps {
  /** When the HTTP request arrived (epoch ms). */
  receivedAt: number;
  /** When the alert's transaction committed (its 202 waits for the log's sync; the engine, in one process, does not). */
  acceptedAt: number;
  /** The quote of the alert's ticker at acceptance (mid), slippage's reference when the alert carried no price. */
  quote?: { ticker: string; price: number };
}

/** What the engine knows of an alert when it starts on it. */
export interface HandledAlert {
  strategyId: string;
  /** TradingView's time for it (the alert's `time`), when it gave one that parses. */
  signalAt: number | null;
  receivedAt: number | null;
  acceptedAt: number | null;
  handledAt: number;
  quote?: { ticker: string; price: number };
}

export interface StampedOrder {
  id: string;
  eventId: string | null;
  strategyId: string | null;
  accountId: string;
  ticker: string;
  side: OrderSide;
  signalPrice: number | null;
}

/** One order's timeline as it is being collected; every stage null until it happens. */
export interface TimelineDraft {
  orderId: string;
  eventId: string | null;
  strategyId: string | null;
  accountId: string | null;
  ticker: string | null;
  side: OrderSide | null;
  signalAt: number | null;
  receivedAt: number | null;
  acceptedAt: number | null;
  handledAt: number | null;
  sentAt: number | null;
  acknowledgedAt: number | null;
  filledAt: number | null;
  pushedAt: number | null;
  referencePrice: number | null;
  referenceSource: 'signal' | 'quote' | null;
  createdAt: number;
  /** Last stamp, for the idle flush; not stored. */
  touchedAt: number;
  /** Rejected or cancelled: nothing more will come. */
  settled: boolean;
}

/** Events are remembered for their orders 5–10 minutes, at most 2 × this many (two generations). */
const EVENT_GENERATION_MS = 300_000;
const EVENTS_PER_GENERATION = 10_000;
/** Orders collected at once before they are written whatever their state. */
const MAX_ORDERS = 20_000;
/** A filled order's `/ws` push is waited for this long (nobody may be connected). */
const PUSH_WAIT_MS = 2_000;
/** An order still working is written after this long without a new stamp; later stamps update its row. */
const IDLE_MS = 10_000;

/**
 * The stamps of the path from an alert to the screen, collected in memory on the hot path (a Map
 * write each, no I/O) and handed to the timeline writer in groups. Each process stamps what it
 * sees: with separate api and worker processes the worker has the alert's stamps from its queued
 * event, and the api process adds the `/ws` push to the row later.
 */
@Injectable()
export class ExecutionStamps {
  /** Two generations: the newer takes new events; both are looked in; the older is dropped whole (O(1), no per-entry expiry). */
  private events = new Map<string, HandledAlert>();
  private olderEvents = new Map<string, HandledAlert>();
  private generationStart = Date.now();
  private readonly orders = new Map<string, TimelineDraft>();

  /** The engine starts on an alert (the webhook's own stamps came with the queued event). */
  alertHandled(eventId: string, alert: HandledAlert): void {
    if (this.events.size >= EVENTS_PER_GENERATION) this.rotate(alert.handledAt);
    this.events.set(eventId, alert);
  }

  /** An order goes to its broker (also a held order once it triggers: its first send counts). */
  orderSent(order: StampedOrder, at = Date.now()): void {
    const draft = this.draft(order.id, at);
    draft.eventId = order.eventId;
    draft.strategyId = order.strategyId;
    draft.accountId = order.accountId;
    draft.ticker = order.ticker;
    draft.side = order.side;
    draft.sentAt ??= at;
    const alert = order.eventId ? (this.events.get(order.eventId) ?? this.olderEvents.get(order.eventId)) : undefined;
    if (alert) {
      draft.signalAt ??= alert.signalAt;
      draft.receivedAt ??= alert.receivedAt;
      draft.acceptedAt ??= alert.acceptedAt;
      draft.handledAt ??= alert.handledAt;
    }
    if (draft.referencePrice === null) {
      if (order.signalPrice !== null) {
        draft.referencePrice = order.signalPrice;
        draft.referenceSource = 'signal';
      } else if (alert?.quote && alert.quote.ticker === order.ticker) {
        draft.referencePrice = alert.quote.price;
        draft.referenceSource = 'quote';
      }
    }
  }

  /** The broker answered the order (accepted, filled or refused). */
  orderAcknowledged(orderId: string, at = Date.now()): void {
    const draft = this.orders.get(orderId);
    if (draft) {
      draft.acknowledgedAt ??= at;
      draft.touchedAt = at;
    }
  }

  /** The order's first fill is booked. */
  orderFilled(
    fill: { orderId: string; accountId: string; strategyId: string | null; ticker: string; side: OrderSide },
    at = Date.now(),
  ): void {
    const draft = this.draft(fill.orderId, at);
    draft.accountId ??= fill.accountId;
    draft.strategyId ??= fill.strategyId;
    draft.ticker ??= fill.ticker;
    draft.side ??= fill.side;
    // Told in the same publish as the /ws push, possibly after it (listeners run in turn): never later than the push.
    draft.filledAt ??= draft.pushedAt !== null ? Math.min(at, draft.pushedAt) : at;
  }

  /** The fill went out on `/ws`. */
  fillPushed(orderId: string, at = Date.now()): void {
    this.draft(orderId, at).pushedAt ??= at;
  }

  /** Rejected or cancelled: its timeline is complete. */
  orderSettled(orderId: string): void {
    const draft = this.orders.get(orderId);
    if (draft) draft.settled = true;
  }

  /** Timelines ready to write (removed from memory): pushed, settled, quiet long enough, or over the cap. */
  take(now = Date.now()): TimelineDraft[] {
    const ready: TimelineDraft[] = [];
    const over = this.orders.size - MAX_ORDERS;
    let i = 0;
    for (const draft of this.orders.values()) {
      const done =
        i++ < over ||
        draft.settled ||
        draft.pushedAt !== null ||
        (draft.filledAt !== null && now - draft.touchedAt >= PUSH_WAIT_MS) ||
        now - draft.touchedAt >= IDLE_MS;
      if (done) ready.push(draft);
    }
    for (const draft of ready) this.orders.delete(draft.orderId);
    if (now - this.generationStart >= EVENT_GENERATION_MS) this.rotate(now);
    return ready;
  }

  /** Orders being collected (for tests and the bench). */
  get pending(): number {
    return this.orders.size;
  }

  private rotate(now: number): void {
    this.olderEvents = this.events;
    this.events = new Map();
    this.generationStart = now;
  }

  private draft(orderId: string, at: number): TimelineDraft {
    let draft = this.orders.get(orderId);
    if (!draft) {
      draft = {
        orderId,
        eventId: null,
        strategyId: null,
        accountId: null,
        ticker: null,
        side: null,
        signalAt: null,
        receivedAt: null,
        acceptedAt: null,
        handledAt: null,
        sentAt: null,
        acknowledgedAt: null,
        filledAt: null,
        pushedAt: null,
        referencePrice: null,
        referenceSource: null,
        createdAt: at,
        touchedAt: at,
        settled: false,
      };
      this.orders.set(orderId, draft);
    }
    draft.touchedAt = at;
    return draft;
  }
}
