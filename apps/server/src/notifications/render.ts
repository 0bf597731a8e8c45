/**
 * A notification in each channel's own shape, inside each service's documented limits: Discord's
 * execute-webhook body (embed limits, no mentions), Telegram's sendMessage text (HTML, escaped,
 * 4096 characters), an email's subject, text and HTML, and a generic JSON body.
 */
import type { NotificationEvent, NotificationMessage, Severity } from './notification-events.js';

const cut = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** Embed colors: green, amber, red. */
export const SEVERITY_COLORS: Record<Severity, number> = { info: 0x2e7d32, warning: 0xf9a825, critical: 0xc62828 };
const SEVERITY_MARK: Record<Severity, string> = { info: '🟢', warning: '🟠', critical: '🔴' };

/** Discord's limits on one message's embeds (title 256, description 4096, 25 fields of 256/1024, 6000 in all). */
const DISCORD_TOTAL = 6000;

export interface DiscordBody {
  content: string;
  username?: string;
  allowed_mentions: { parse: never[] };
  embeds: {
    title: string;
    description: string;
    color: number;
    timestamp: string;
    fields: { name: string; value: string; inline: boolean }[];
    footer: { text: string };
  }[];
}

export function discordBody(message: NotificationMessage, username?: string): DiscordBody {
  const title = cut(message.title, 256);
  const description = cut(message.text, 4096);
  const footer = 'Tradeloop';
  let budget = DISCORD_TOTAL - title.length - description.length - footer.length;
  const fields: DiscordBody['embeds'][number]['fields'] = [];
  for (const field of message.fields.slice(0, 25)) {
    const name = cut(field.name, 256) || '-';
    const value = cut(field.value, 1024) || '-';
    if (name.length + value.length > budget) break;
    budget -= name.length + value.length;
    fields.push({ name, value, inline: true });
  }
  return {
    // The content is what a phone's push notification shows.
    content: cut(`${SEVERITY_MARK[message.severity]} ${message.title}`, 2000),
    ...(username ? { username: cut(username, 80) } : {}),
    // Names and reasons come from outside: nothing in them may ping anyone.
    allowed_mentions: { parse: [] },
    embeds: [
      {
        title,
        description,
        color: SEVERITY_COLORS[message.severity],
        timestamp: new Date(message.at).toISOString(),
        fields,
        footer: { text: footer },
      },
    ],
  };
}

export const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Telegram counts the text after entities are parsed: at most 4096 characters. */
const TELEGRAM_MAX = 4096;

export function telegramText(message: NotificationMessage): string {
  const plainHead = `${SEVERITY_MARK[message.severity]} ${message.title}\n${message.text}\n`;
  let length = plainHead.length;
  const lines = [`${SEVERITY_MARK[message.severity]} <b>${escapeHtml(message.title)}</b>`, escapeHtml(message.text), ''];
  for (const field of message.fields) {
    const plain = `${field.name}: ${field.value}\n`;
    if (length + plain.length > TELEGRAM_MAX) break;
    length += plain.length;
    lines.push(`<b>${escapeHtml(field.name)}:</b> ${escapeHtml(field.value)}`);
  }
  return lines.join('\n').trimEnd();
}

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

export function emailContent(message: NotificationMessage): EmailContent {
  const fieldsText = message.fields.map((f) => `${f.name}: ${f.value}`).join('\n');
  const rows = message.fields.map((f) => `<tr><th align="left">${escapeHtml(f.name)}</th><td>${escapeHtml(f.value)}</td></tr>`).join('');
  const color = `#${SEVERITY_COLORS[message.severity].toString(16).padStart(6, '0')}`;
  return {
    // A subject is one line: the title is already single-spaced and bounded.
    subject: `[Tradeloop] ${message.title}`,
    text: `${message.title}\n\n${message.text}\n\n${fieldsText}\n`,
    html:
      `<div style="border-left:4px solid ${color};padding-left:12px;font-family:sans-serif">` +
      `<h3 style="margin:0 0 8px">${escapeHtml(message.title)}</h3><p>${escapeHtml(message.text)}</p>` +
      `<table cellpadding="4">${rows}</table></div>`,
  };
}

export interface WebhookBody {
  source: 'tradeloop';
  kind: NotificationMessage['kind'];
  severity: Severity;
  at: string;
  title: string;
  text: string;
  fields: NotificationMessage['fields'];
  /** The event itself, for automations; long strings cut to 1000 characters. */
  event: NotificationEvent;
}

function bounded<T>(value: T): T {
  if (typeof value === 'string') return cut(value, 1000) as T;
  if (Array.isArray(value)) return value.slice(0, 100).map(bounded) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, bounded(v)])) as T;
  return value;
}

export function webhookBody(message: NotificationMessage, event: NotificationEvent): WebhookBody {
  return {
    source: 'tradeloop',
    kind: message.kind,
    severity: message.severity,
    at: new Date(message.at).toISOString(),
    title: message.title,
    text: message.text,
    fields: message.fields,
    event: bounded(event),
  };
}
