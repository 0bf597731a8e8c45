import type { RiskLimits, StrategyExits } from '../controls.js';
import type { StrategyStatus } from '../realtime.js';
import type { ScriptParams } from '../strategy-api.js';
import type { IsoTime } from './common.js';
import type { LivePnl } from './pnl.js';

/**
 * A strategy's settings, as creating, changing or rotating its token answers: no live numbers.
 * The webhook token and URL are there only for a caller who may trade (never a read-only token);
 * null when the stored token cannot be opened (sealed under another secret key): rotating it gives
 * a new one.
 */
export interface StrategyView {
  id: string;
  name: string;
  description: string;
  /** Takes alerts; follows `status`. */
  enabled: boolean;
  /** Its own account: the recorder of its signal. */
  accountId: string;
  defaultQuantity: number;
  defaultTicker: string | null;
  /** The script it runs; null: alerts pass straight through. */
  script: string | null;
  /** The values set for the script's params (the script's defaults for the rest); null without a script. */
  params: ScriptParams | null;
  status: StrategyStatus;
  statusReason: string | null;
  webhookToken?: string | null;
  webhookUrl?: string | null;
  /** Addresses or CIDR ranges allowed to call the webhook (`tradingview` for its own); empty: any. */
  allowedIps: string[];
  /** Default take profit / stop loss, break-even and trailing for entries its alerts open. */
  exits: StrategyExits | null;
  risk: RiskLimits | null;
  /** A daily limit was hit: no new exposure until then. */
  haltedUntil: IsoTime | null;
  createdAt: IsoTime;
  updatedAt: IsoTime;
}

/** `GET /api/strategies`: each with its live P&L and its last signal. */
export interface StrategyListItem extends StrategyView, LivePnl {
  /** When its newest accepted alert arrived; null before the first (duplicates and refusals do not count). */
  lastSignalAt: IsoTime | null;
}

/** One account a strategy's signal is copied to. */
export interface StrategyLinkView {
  id: string;
  accountId: string;
  /** Contracts per contract of the signal. */
  multiplier: number;
  /** Trade this symbol instead of the alert's. */
  symbolOverride: string | null;
  /** Trade the opposite side. */
  inverse: boolean;
  enabled: boolean;
}

/** `GET /api/strategies/:id`: as listed, with each link and the link's own live P&L. */
export interface StrategyDetail extends StrategyListItem {
  links: (StrategyLinkView & LivePnl)[];
}

/** One account to copy the signal to, as `links` in a strategy's create or change takes it. */
export interface StrategyLinkInput {
  accountId: string;
  multiplier?: number;
  symbolOverride?: string | null;
  inverse?: boolean;
  enabled?: boolean;
}

/** `POST /api/strategies`: anything left out takes its default (the oldest account, 1 contract, enabled). */
export interface StrategyInput {
  name: string;
  description?: string;
  enabled?: boolean;
  accountId?: string;
  defaultQuantity?: number;
  defaultTicker?: string | null;
  allowedIps?: string[];
  /** null: no script (alerts pass straight through). */
  script?: string | null;
  params?: ScriptParams;
  /** Replaces the whole list. */
  links?: StrategyLinkInput[];
  /** null: none. */
  exits?: StrategyExits | null;
  risk?: RiskLimits | null;
}

/** `PATCH /api/strategies/:id`: only what is given changes; `{"enabled": true}` also clears an error. */
export type StrategyChange = Partial<StrategyInput>;
