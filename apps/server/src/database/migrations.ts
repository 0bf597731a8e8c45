import { InitialSchema1764000000000 } from './migrations/1764000000000-initial-schema.js';
import { AccessControl1764050000000 } from './migrations/1764050000000-access-control.js';
import { PnlHistory1764100000000 } from './migrations/1764100000000-pnl-history.js';
import { StrategyScripts1764200000000 } from './migrations/1764200000000-strategy-scripts.js';
import { ExecutionControls1764300000000 } from './migrations/1764300000000-execution-controls.js';
import { WebhookEventsLastSignal1764350000000 } from './migrations/1764350000000-webhook-events-last-signal.js';
import { WebhookBodyHash1764400000000 } from './migrations/1764400000000-webhook-body-hash.js';
import { AlertControlsAndPriceSources1765000000000 } from './migrations/1765000000000-alert-controls-and-price-sources.js';
import { sealedWebhookTokens } from './migrations/1765100000000-sealed-webhook-tokens.js';
import { AdminPasswordApplied1765110000000 } from './migrations/1765110000000-admin-password-applied.js';
import { AccountRulesAndNotifications1766150000000 } from './migrations/1766150000000-account-rules-and-notifications.js';
import { ExecutionAnalytics1766200000000 } from './migrations/1766200000000-execution-analytics.js';
import { OneStatusIndexOnEvents1766300000000 } from './migrations/1766300000000-one-status-index-on-events.js';
import { PartialEventKeyIndexes1766400000000 } from './migrations/1766400000000-partial-event-key-indexes.js';
import { OpenOrdersIndex1766500000000 } from './migrations/1766500000000-open-orders-index.js';
import { LogIndexByStrategyAndId1766600000000 } from './migrations/1766600000000-log-index-by-strategy-and-id.js';
import { LogStrategyLines1766700000000 } from './migrations/1766700000000-log-strategy-lines.js';
import { PositionsByTicker1766800000000 } from './migrations/1766800000000-positions-by-ticker.js';
import { EventsListedByStrategy1766900000000 } from './migrations/1766900000000-events-listed-by-strategy.js';
import { OrdersAndFillsListedByStrategy1767000000000 } from './migrations/1767000000000-orders-and-fills-listed-by-strategy.js';
import type { SecretBox } from '../infra/secrets/secret-box.js';

/** The migrations, in order; `secrets` opens the key for those that seal what they move (asked only when there is something to seal). */
export const migrations = (secrets: () => SecretBox) => [
  InitialSchema1764000000000,
  AccessControl1764050000000,
  PnlHistory1764100000000,
  StrategyScripts1764200000000,
  ExecutionControls1764300000000,
  WebhookEventsLastSignal1764350000000,
  WebhookBodyHash1764400000000,
  AlertControlsAndPriceSources1765000000000,
  sealedWebhookTokens(secrets),
  AdminPasswordApplied1765110000000,
  AccountRulesAndNotifications1766150000000,
  ExecutionAnalytics1766200000000,
  OneStatusIndexOnEvents1766300000000,
  PartialEventKeyIndexes1766400000000,
  OpenOrdersIndex1766500000000,
  LogIndexByStrategyAndId1766600000000,
  LogStrategyLines1766700000000,
  PositionsByTicker1766800000000,
  EventsListedByStrategy1766900000000,
  OrdersAndFillsListedByStrategy1767000000000,
];
