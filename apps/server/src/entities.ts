import { AccountRuleSet } from './account-rules/account-rule-set.entity.js';
import { Account } from './accounts/account.entity.js';
import { ANALYTICS_ENTITIES } from './analytics/analytics.entities.js';
import { AuthToken } from './auth/auth-token.entity.js';
import { User } from './auth/user.entity.js';
import { OrderBracket } from './execution/order-bracket.entity.js';
import { Order } from './execution/order.entity.js';
import { Fill } from './ledger/fill.entity.js';
import { Position } from './ledger/position.entity.js';
import { Trade } from './ledger/trade.entity.js';
import { LogEntry } from './logs/log-entry.entity.js';
import { LogStrategyLine } from './logs/log-strategy-line.entity.js';
import { NotificationChannel } from './notifications/notification-channel.entity.js';
import { NotificationDelivery } from './notifications/notification-delivery.entity.js';
import { PnlBar } from './pnl/pnl-bar.entity.js';
import { PnlLatest } from './pnl/pnl-latest.entity.js';
import { PnlPoint } from './pnl/pnl-point.entity.js';
import { PnlRollupMark } from './pnl/pnl-rollup-mark.entity.js';
import { Strategy } from './strategies/strategy.entity.js';
import { StrategyLink } from './strategies/strategy-link.entity.js';
import { SystemSetting } from './settings/system-setting.entity.js';
import { WebhookEvent } from './webhooks/webhook-event.entity.js';

/**
 * Every entity, for the DataSource (its metadata, and the schema check against the migrations).
 * Each feature module owns and registers its own (`TypeOrmModule.forFeature` in its module); this
 * list sits at the top, beside the app module, so the database layer imports no feature.
 */
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
  LogStrategyLine,
  User,
  AuthToken,
  PnlPoint,
  PnlBar,
  PnlLatest,
  PnlRollupMark,
  StrategyLink,
  SystemSetting,
  AccountRuleSet,
  NotificationChannel,
  NotificationDelivery,
  ...ANALYTICS_ENTITIES,
];
