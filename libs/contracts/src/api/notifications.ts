import type { IsoTime } from './common.js';

export type NotificationChannelType = 'discord' | 'telegram' | 'webhook' | 'email';

/** What a channel can subscribe to (all by default). */
export const NOTIFICATION_KIND_NAMES = [
  'fill',
  'alert-refused',
  'alert-failed',
  'risk-warning',
  'breach',
  'connection',
  'login-expiring',
  'strategy-errored',
  'daily-summary',
] as const;

export type NotificationKindName = (typeof NOTIFICATION_KIND_NAMES)[number];

/**
 * `GET /api/notifications/channels`: a channel's settings; its secrets (the Discord webhook URL,
 * the bot token, the SMTP password, the webhook's authorization and signing secret) only as a hint,
 * `••••` and the last four characters.
 */
export interface NotificationChannelView {
  id: string;
  type: NotificationChannelType;
  name: string;
  enabled: boolean;
  events: NotificationKindName[];
  /** Everything else that is not secret (chat id, SMTP host, recipients …). */
  settings: Record<string, unknown>;
  /** Secret field → hint. */
  secrets: Record<string, string>;
  /** Deliveries waiting, and the last one given up (with its reason), so a broken channel shows. */
  pending: number;
  lastError: string | null;
  createdAt: IsoTime;
  updatedAt: IsoTime;
}

/**
 * `POST /api/notifications/channels`: the channel as the docs show it (`type`, `name`, the
 * type's fields). `PATCH` takes any of them; a secret left out keeps its value.
 */
export type NotificationChannelInput = Record<string, unknown>;

/** `POST /api/notifications/channels/:id/test`: one attempt, answered with what the service said. */
export interface NotificationTestResult {
  ok: boolean;
  /** The service's answer when it refused (`Telegram answered 400: Bad Request: chat not found`). */
  reason: string | null;
}

/** `GET /api/notifications/outbox`: the latest deliveries, newest first. */
export interface NotificationDeliveryView {
  id: string;
  channelId: string;
  kind: string;
  title: string;
  status: 'pending' | 'sent' | 'given-up';
  attempts: number;
  lastError: string | null;
  createdAt: IsoTime;
  nextAttemptAt: IsoTime;
  finishedAt: IsoTime | null;
}
