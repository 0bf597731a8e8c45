import type { LogData } from '../realtime.js';
import type { IsoTime } from './common.js';

export type LogLevel = LogData['level'];

/** `GET /api/logs`: newest first. */
export interface LogEntryView {
  /** Increasing: `beforeId` pages back from it. */
  id: number;
  time: IsoTime;
  level: LogLevel;
  /** `webhook`, `order`, `fill`, `engine`, `manual`, `risk`, `plugin`, `script`, `system`, … */
  category: string;
  strategyId: string | null;
  message: string;
  /** Extra detail (ids, the alert's body), as written. */
  context: Record<string, unknown> | null;
}

/**
 * An accepted alert's state: `delayed` (held by its `delay`), `accepted`, `processing`, `done`,
 * `failed` (a dead letter) or `dismissed` (a failed one let go).
 */
export type WebhookEventStatus = 'delayed' | 'accepted' | 'processing' | 'done' | 'failed' | 'dismissed';

/** `GET /api/events`: accepted alerts and what became of them, newest first. */
export interface WebhookEventView {
  id: string;
  strategyId: string;
  status: WebhookEventStatus;
  /** The alert as parsed. */
  alert: Record<string, unknown>;
  /** The alert's own `id`, if it carried one. */
  idempotencyKey: string | null;
  sourceIp: string | null;
  receivedAt: IsoTime;
  processedAt: IsoTime | null;
  /** Only for an alert held by a `delay`: when it trades. */
  delayedUntil?: IsoTime;
  /** Why it failed. */
  error: string | null;
}
