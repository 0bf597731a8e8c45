import type { RiskLimits } from '../controls.js';
import type { IsoTime } from './common.js';
import type { LivePnl } from './pnl.js';

/** Plugin settings of an account: plain values only (plugins read them as configuration). */
export type AccountSettings = Record<string, string | number | boolean | null>;

/** `GET /api/accounts`: dollars; manual trades count toward their account. */
export interface AccountView extends LivePnl {
  id: string;
  name: string;
  /** The broker plugin that executes its orders. */
  broker: string;
  /** The account as the broker knows it. */
  brokerAccountId: string;
  startingBalance: number;
  /** Starting balance plus realized P&L. */
  balance: number;
  /** Balance plus open P&L; null while open P&L is unknown. */
  equity: number | null;
  settings: AccountSettings;
  /** Names of the secrets that are set; never their values. */
  secrets: string[];
  risk: RiskLimits | null;
  /** A daily limit was hit: no new exposure on the account until then. */
  haltedUntil: IsoTime | null;
  createdAt: IsoTime;
}

/** `POST /api/accounts`: secrets are stored encrypted and never read back. */
export interface AccountInput {
  name: string;
  /** A broker plugin's name. */
  broker: string;
  brokerAccountId: string;
  startingBalance?: number;
  settings?: AccountSettings;
  secrets?: Record<string, string>;
  risk?: RiskLimits | null;
}

/**
 * `PATCH /api/accounts/:id`: the broker and the starting balance stay as made. Secrets merge name
 * by name: a string sets one, null removes it, names left out stay.
 */
export interface AccountChange {
  name?: string;
  brokerAccountId?: string;
  settings?: AccountSettings;
  secrets?: Record<string, string | null>;
  /** null removes them. */
  risk?: RiskLimits | null;
}
