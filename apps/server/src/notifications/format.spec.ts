import { describe, expect, it } from '@jest/globals';
import { clip, formatNotification } from './format.js';
import type { NotificationEvent } from './notification-events.js';
import { discordBody, emailContent, telegramText, webhookBody } from './render.js';

// 2026-03-17T14:03:12Z is 10:03:12 in New York (UTC−4 after 2026-03-08).
const AT = Date.parse('2026-03-17T14:03:12Z');
const NY = { timeZone: 'America/New_York' };

describe('a message per event kind', () => {
  it.each<[string, NotificationEvent, { severity: string; title: string; text: string; fields: [string, string][] }]>([
    [
      'fill that closes',
      {
        kind: 'fill',
        at: AT,
        account: 'Apex 50K',
        strategy: 'NQ trend',
        ticker: 'NQ1!',
        side: 'sell',
        quantity: 2,
        price: 21500.25,
        positionAfter: 0,
        realizedPnlCents: 41250,
      },
      {
        severity: 'info',
        title: 'Filled: SELL 2 NQ1! @ 21500.25',
        text: 'Apex 50K is now flat, realized +$412.50.',
        fields: [
          ['Account', 'Apex 50K'],
          ['Strategy', 'NQ trend'],
          ['Position', 'flat'],
          ['Realized P&L', '+$412.50'],
          ['Time', '2026-03-17 10:03:12 America/New_York'],
        ],
      },
    ],
    [
      'refused alert',
      {
        kind: 'alert-refused',
        at: AT,
        strategy: 'NQ trend',
        account: 'Apex 50K',
        ticker: 'NQ1!',
        reason: 'daily loss limit: locked until the next trading day',
        alertId: '2f9262e0',
      },
      {
        severity: 'warning',
        title: 'Alert refused: NQ trend NQ1!',
        text: 'Nothing was sent to the broker: daily loss limit: locked until the next trading day',
        fields: [
          ['Strategy', 'NQ trend'],
          ['Account', 'Apex 50K'],
          ['Alert', '2f9262e0'],
          ['Time', '2026-03-17 10:03:12 America/New_York'],
        ],
      },
    ],
    [
      'failed order',
      {
        kind: 'alert-failed',
        at: AT,
        strategy: null,
        account: 'Tradovate demo',
        ticker: null,
        reason: 'Insufficient margin',
        alertId: null,
      },
      {
        severity: 'warning',
        title: 'Order failed',
        text: 'The broker did not take the order: Insufficient margin',
        fields: [
          ['Account', 'Tradovate demo'],
          ['Time', '2026-03-17 10:03:12 America/New_York'],
        ],
      },
    ],
    [
      'risk warning',
      {
        kind: 'risk-warning',
        at: AT,
        account: 'Topstep 50K',
        rule: 'trailing drawdown',
        remainingCents: 41200,
        margin: '$412.00 until the end-of-day trailing drawdown (floor $48,400.00)',
      },
      {
        severity: 'warning',
        title: 'Risk warning: Topstep 50K',
        text: '$412.00 until the end-of-day trailing drawdown (floor $48,400.00).',
        fields: [
          ['Account', 'Topstep 50K'],
          ['Rule', 'trailing drawdown'],
          ['Room left', '$412.00'],
          ['Time', '2026-03-17 10:03:12 America/New_York'],
        ],
      },
    ],
    [
      'breach and lock',
      {
        kind: 'breach',
        at: AT,
        account: 'Tradeify 50K',
        rule: 'daily loss limit',
        reason: "today's P&L -$1,250.00 reached the daily loss limit of $1,250.00",
        action: 'flatten-and-lock',
        until: Date.parse('2026-03-17T22:00:00Z'),
      },
      {
        severity: 'critical',
        title: 'Account locked: Tradeify 50K',
        text: "today's P&L -$1,250.00 reached the daily loss limit of $1,250.00. Positions flattened, working orders cancelled, until 2026-03-17 18:00:00 America/New_York.",
        fields: [
          ['Account', 'Tradeify 50K'],
          ['Rule', 'daily loss limit'],
          ['Action', 'flatten and lock'],
          ['Locked', 'until 2026-03-17 18:00:00 America/New_York'],
          ['Time', '2026-03-17 10:03:12 America/New_York'],
        ],
      },
    ],
    [
      'disconnect',
      {
        kind: 'connection',
        at: AT,
        source: 'feed',
        name: 'Tradovate market data',
        state: 'disconnected',
        reason: 'socket closed (1006)',
        downForMs: null,
      },
      {
        severity: 'critical',
        title: 'Data feed Tradovate market data disconnected',
        text: 'Data feed Tradovate market data disconnected: socket closed (1006). Reconnecting.',
        fields: [['Time', '2026-03-17 10:03:12 America/New_York']],
      },
    ],
    [
      'reconnect',
      { kind: 'connection', at: AT, source: 'broker', name: 'Tradovate', state: 'reconnected', reason: null, downForMs: 184_000 },
      {
        severity: 'info',
        title: 'Broker Tradovate reconnected',
        text: 'Broker Tradovate is back after 3 min.',
        fields: [['Time', '2026-03-17 10:03:12 America/New_York']],
      },
    ],
    [
      'login expiring',
      { kind: 'login-expiring', at: AT, broker: 'Tradovate', account: 'APEX-1234', expiresAt: AT + 10 * 60_000 },
      {
        severity: 'warning',
        title: 'Broker login expiring: Tradovate',
        text: 'The Tradovate login for APEX-1234 expires in 10 min. Sign in again before then, or orders will fail.',
        fields: [
          ['Account', 'APEX-1234'],
          ['Expires', '2026-03-17 10:13:12 America/New_York'],
          ['Time', '2026-03-17 10:03:12 America/New_York'],
        ],
      },
    ],
    [
      'strategy errored',
      {
        kind: 'strategy-errored',
        at: AT,
        strategy: 'mean-revert.ts',
        error: 'TypeError: cannot read properties of undefined',
        stopped: true,
      },
      {
        severity: 'critical',
        title: 'Strategy error: mean-revert.ts',
        text: 'TypeError: cannot read properties of undefined The strategy was stopped.',
        fields: [
          ['Strategy', 'mean-revert.ts'],
          ['Time', '2026-03-17 10:03:12 America/New_York'],
        ],
      },
    ],
    [
      'daily summary',
      {
        kind: 'daily-summary',
        at: AT,
        date: '2026-03-17',
        realizedPnlCents: 73500,
        trades: 4,
        wins: 3,
        losses: 1,
        accounts: [
          { name: 'Apex 50K', pnlCents: 91000, trades: 3 },
          { name: 'Topstep 50K', pnlCents: -17500, trades: 1 },
        ],
      },
      {
        severity: 'info',
        title: 'Daily summary 2026-03-17: +$735.00',
        text: '4 trades, 3 won, 1 lost (75% won).',
        fields: [
          ['Apex 50K', '+$910.00 in 3 trades'],
          ['Topstep 50K', '-$175.00 in 1 trade'],
          ['Time', '2026-03-17 10:03:12 America/New_York'],
        ],
      },
    ],
  ])('%s', (_name, event, expected) => {
    const message = formatNotification(event, NY);
    expect({
      severity: message.severity,
      title: message.title,
      text: message.text,
      fields: message.fields.map((f) => [f.name, f.value]),
    }).toEqual(expected);
  });

  it('bounds and flattens text from outside', () => {
    expect(clip('  two\nlines\u0000and\ttabs  ')).toBe('two lines and tabs');
    const long = formatNotification(
      { kind: 'strategy-errored', at: AT, strategy: 'x'.repeat(5000), error: 'e'.repeat(5000), stopped: false },
      NY,
    );
    expect(long.title.length).toBeLessThanOrEqual(200);
    expect(long.text.length).toBeLessThanOrEqual(1000);
    expect(long.fields.every((f) => f.value.length <= 300)).toBe(true);
  });
});

describe('channel shapes', () => {
  const breach = formatNotification(
    {
      kind: 'breach',
      at: AT,
      account: '<b>@everyone</b> & co',
      rule: 'trailing drawdown',
      reason: 'equity touched the floor',
      action: 'flatten-and-lock',
      until: null,
    },
    NY,
  );

  it('Discord: content and one embed, red for a breach, no mentions parsed', () => {
    const body = discordBody(breach, 'Tradeloop');
    expect(body.allowed_mentions).toEqual({ parse: [] });
    expect(body.content).toBe('🔴 Account locked: <b>@everyone</b> & co');
    expect(body.embeds[0]).toMatchObject({
      title: 'Account locked: <b>@everyone</b> & co',
      color: 0xc62828,
      timestamp: '2026-03-17T14:03:12.000Z',
    });
    expect(body.username).toBe('Tradeloop');
  });

  it('Discord: stays inside the embed limits (25 fields, 6000 characters in all)', () => {
    const accounts = Array.from({ length: 60 }, (_, i) => ({ name: `account ${i} ${'n'.repeat(90)}`, pnlCents: i * 100, trades: 1 }));
    const body = discordBody(
      formatNotification(
        { kind: 'daily-summary', at: AT, date: '2026-03-17', realizedPnlCents: 0, trades: 60, wins: 30, losses: 30, accounts },
        NY,
      ),
    );
    const embed = body.embeds[0];
    const total =
      embed.title.length +
      embed.description.length +
      embed.footer.text.length +
      embed.fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
    expect(embed.fields.length).toBeLessThanOrEqual(25);
    expect(total).toBeLessThanOrEqual(6000);
  });

  it('Telegram: HTML with everything from outside escaped', () => {
    expect(telegramText(breach)).toBe(
      [
        '🔴 <b>Account locked: &lt;b&gt;@everyone&lt;/b&gt; &amp; co</b>',
        'equity touched the floor. Positions flattened, working orders cancelled, for good.',
        '',
        '<b>Account:</b> &lt;b&gt;@everyone&lt;/b&gt; &amp; co',
        '<b>Rule:</b> trailing drawdown',
        '<b>Action:</b> flatten and lock',
        '<b>Locked:</b> for good',
        '<b>Time:</b> 2026-03-17 10:03:12 America/New_York',
      ].join('\n'),
    );
  });

  it('email: a subject line, a text part and an escaped HTML part', () => {
    const mail = emailContent(breach);
    expect(mail.subject).toBe('[Tradeloop] Account locked: <b>@everyone</b> & co');
    expect(mail.text).toContain('Rule: trailing drawdown\n');
    expect(mail.html).toContain('&lt;b&gt;@everyone&lt;/b&gt; &amp; co');
    expect(mail.html).not.toContain('<b>@everyone');
  });

  it('webhook: the message and the event, long strings cut', () => {
    const event: NotificationEvent = { kind: 'strategy-errored', at: AT, strategy: 's', error: 'e'.repeat(5000), stopped: false };
    const body = webhookBody(formatNotification(event, NY), event);
    expect(body).toMatchObject({ source: 'tradeloop', kind: 'strategy-errored', severity: 'warning', at: '2026-03-17T14:03:12.000Z' });
    expect((body.event as { error: string }).error.length).toBe(1000);
  });
});
