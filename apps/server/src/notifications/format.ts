import { formatMoney, zoneOffsetMs } from '@tradeloop/domain';
import type { NotificationEvent, NotificationMessage, Severity } from './notification-events.js';

/** Any text from outside (names, reasons, broker errors) is cut to this in a message. */
export const MAX_TEXT = 300;

/** Trims, folds whitespace and control characters to single spaces, and cuts with an ellipsis. */
export function clip(text: string, max = MAX_TEXT): string {
  const flat = text.replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** `2026-03-17 10:03:12` in the zone, with the zone named once per message by the caller. */
export function clockTime(instant: number, timeZone: string): string {
  return new Date(instant + zoneOffsetMs(instant, timeZone)).toISOString().slice(0, 19).replace('T', ' ');
}

const signedMoney = (cents: number) => (cents > 0 ? `+${formatMoney(cents)}` : formatMoney(cents));

function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 90) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

const position = (quantity: number) => (quantity === 0 ? 'flat' : quantity > 0 ? `long ${quantity}` : `short ${-quantity}`);

export interface FormatOptions {
  /** Zone the times are written in. */
  timeZone: string;
}

/** One notification per event, the same words for every channel. */
export function formatNotification(event: NotificationEvent, options: FormatOptions): NotificationMessage {
  const when = `${clockTime(event.at, options.timeZone)} ${options.timeZone}`;
  const message = (severity: Severity, title: string, text: string, fields: [string, string][]): NotificationMessage => ({
    kind: event.kind,
    severity,
    at: event.at,
    title: clip(title, 200),
    text: clip(text, 1000),
    fields: [...fields, ['Time', when] as [string, string]].map(([name, value]) => ({ name, value: clip(value) })),
  });
  switch (event.kind) {
    case 'test':
      return message('info', 'Tradeloop test message', 'If you can read this, notifications reach this channel.', []);
    case 'fill': {
      const what = `${event.side.toUpperCase()} ${event.quantity} ${clip(event.ticker, 64)} @ ${event.price}`;
      const realized = event.realizedPnlCents === null ? '' : `, realized ${signedMoney(event.realizedPnlCents)}`;
      return message('info', `Filled: ${what}`, `${clip(event.account, 100)} is now ${position(event.positionAfter)}${realized}.`, [
        ['Account', event.account],
        ['Strategy', event.strategy ?? 'manual'],
        ['Position', position(event.positionAfter)],
        ...(event.realizedPnlCents === null ? [] : [['Realized P&L', signedMoney(event.realizedPnlCents)] as [string, string]]),
      ]);
    }
    case 'alert-refused':
    case 'alert-failed': {
      const refused = event.kind === 'alert-refused';
      const subject = [event.strategy, event.ticker].filter((part): part is string => !!part).map((part) => clip(part, 100));
      return message(
        'warning',
        `${refused ? 'Alert refused' : 'Order failed'}${subject.length ? `: ${subject.join(' ')}` : ''}`,
        `${refused ? 'Nothing was sent to the broker' : 'The broker did not take the order'}: ${clip(event.reason, 500)}`,
        [
          ...(event.strategy ? [['Strategy', event.strategy] as [string, string]] : []),
          ...(event.account ? [['Account', event.account] as [string, string]] : []),
          ...(event.alertId ? [['Alert', event.alertId] as [string, string]] : []),
        ],
      );
    }
    case 'risk-warning':
      return message('warning', `Risk warning: ${clip(event.account, 100)}`, `${clip(event.margin, 500)}.`, [
        ['Account', event.account],
        ['Rule', event.rule],
        ['Room left', formatMoney(event.remainingCents)],
      ]);
    case 'breach': {
      const locked = event.action === 'flatten-and-lock';
      const until = event.until === null ? 'for good' : `until ${clockTime(event.until, options.timeZone)} ${options.timeZone}`;
      return message(
        'critical',
        `${locked ? 'Account locked' : 'No new entries'}: ${clip(event.account, 100)}`,
        `${clip(event.reason, 500)}. ${locked ? 'Positions flattened, working orders cancelled' : 'Only closing orders pass'}, ${until}.`,
        [
          ['Account', event.account],
          ['Rule', event.rule],
          ['Action', locked ? 'flatten and lock' : 'no new entries'],
          ['Locked', until],
        ],
      );
    }
    case 'connection': {
      const down = event.state === 'disconnected';
      const what = `${event.source === 'feed' ? 'Data feed' : 'Broker'} ${clip(event.name, 100)}`;
      const text = down
        ? `${what} disconnected${event.reason ? `: ${clip(event.reason, 300)}` : ''}. Reconnecting.`
        : `${what} is back${event.downForMs === null ? '' : ` after ${duration(event.downForMs)}`}.`;
      return message(down ? 'critical' : 'info', `${what} ${down ? 'disconnected' : 'reconnected'}`, text, []);
    }
    case 'login-expiring': {
      const left = duration(Math.max(0, event.expiresAt - event.at));
      return message(
        'warning',
        `Broker login expiring: ${clip(event.broker, 100)}`,
        `The ${clip(event.broker, 100)} login for ${clip(event.account, 100)} expires in ${left}. Sign in again before then, or orders will fail.`,
        [
          ['Account', event.account],
          ['Expires', `${clockTime(event.expiresAt, options.timeZone)} ${options.timeZone}`],
        ],
      );
    }
    case 'strategy-errored':
      return message(
        event.stopped ? 'critical' : 'warning',
        `Strategy error: ${clip(event.strategy, 100)}`,
        `${clip(event.error, 500)}${event.stopped ? ' The strategy was stopped.' : ''}`,
        [['Strategy', event.strategy]],
      );
    case 'daily-summary': {
      const rate = event.trades ? `${Math.round((event.wins * 100) / event.trades)}% won` : 'no trades';
      return message(
        'info',
        `Daily summary ${event.date}: ${signedMoney(event.realizedPnlCents)}`,
        `${event.trades} trade${event.trades === 1 ? '' : 's'}, ${event.wins} won, ${event.losses} lost (${rate}).`,
        event.accounts
          .slice(0, 20)
          .map(
            (account) =>
              [
                clip(account.name, 100),
                `${signedMoney(account.pnlCents)} in ${account.trades} trade${account.trades === 1 ? '' : 's'}`,
              ] as [string, string],
          ),
      );
    }
  }
}
