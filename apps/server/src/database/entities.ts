import { AccountRuleSet } from '../account-rules/account-rule-set.entity.js';
import { Account } from '../accounts/account.entity.js';
import { AuthToken } from '../auth/auth-token.entity.js';
import { User } from '../auth/user.entity.js';
import { OrderBracket } from '../execution/order-bracket.entity.js';
import { Order } from '../execution/order.entity.js';
import { Fill } from '../ledger/fill.entity.js';
import { Position } from '../ledger/position.entity.js';
import { Trade } from '../ledger/trade.entity.js';
import { LogEntry } from '../logs/log-entry.entity.js';
import { NotificationChannel } from '../notifications/notification-channel.entity.js';
import { NotificationDelivery } from '../notifications/notification-delivery.entity.js';
import { PnlBar } from '../pnl/pnl-bar.entity.js';
import { PnlLatest } from '../pnl/pnl-latest.entity.js';
import { PnlPoint } from '../pnl/pnl-point.entity.js';
import { PnlRollupMark } from '../pnl/pnl-rollup-mark.entity.js';
import { Strategy } from '../strategies/strategy.entity.js';
import { StrategyLink } from '../strategies/strategy-link.entity.js';
import { SystemSetting } from '../risk/system-setting.entity.js';
import { WebhookEvent } from '../webhooks/webhook-event.entity.js';
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
import type { SecretBox } from '../infra/secrets/secret-box.js';

export const ENTITIES = [
  Account,
  Strategy,
  WebhookEvent,
  Order,
  OrderBracket,
  Fill,
  Position,
  Trade,
  LogEntry,
  User,
  AuthToken,
  PnlPoint,
  PnlBar,
  PnlLatest,
  PnlRollupMark,
  StrategyLink,
  SystemSetting,
  // Owned by their modules (account rules, notifications).
  AccountRuleSet,
  NotificationChannel,
  NotificationDelivery,
];
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
];
