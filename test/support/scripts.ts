import type { ServerMessage, StrategyData } from '@tradeloop/contracts';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBus } from '../../apps/server/src/infra/events/event-bus.js';
import { eventually, http, type TestServer } from './app.js';

/** A scripts folder of its own for one test file. */
export function scriptsDir(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'tradeloop-scripts-'));
  mkdirSync(dir, { recursive: true });
  for (const [name, source] of Object.entries(files)) writeFileSync(join(dir, name), source);
  return dir;
}

export async function createScripted(server: TestServer, body: Record<string, unknown>) {
  const created = await http(server.url, 'POST', '/api/strategies', body);
  if (created.status !== 201) throw new Error(`creating ${JSON.stringify(body)} failed: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body as { id: string; webhookToken: string; name: string; state?: unknown };
}

export const hook = (server: TestServer, token: string, body: unknown) => http(server.url, 'POST', `/webhooks/${token}`, body);

export async function logs(server: TestServer, strategyId: string, limit = 500) {
  return (await http(server.url, 'GET', `/api/logs?strategyId=${strategyId}&limit=${limit}`)).body as {
    level: string;
    category: string;
    message: string;
    context: Record<string, unknown> | null;
  }[];
}

export async function orders(server: TestServer, strategyId: string) {
  return (await http(server.url, 'GET', `/api/orders?strategyId=${strategyId}&limit=1000`)).body.items as {
    id: string;
    clientOrderId: string;
    side: string;
    quantity: number;
    type: string;
    status: string;
    ticker: string;
    limitPrice: number | null;
    stopPrice: number | null;
    avgFillPrice: number | null;
    createdAt: string;
  }[];
}

/** The engine's log line for a webhook event, once it has run. */
export function settled(server: TestServer, strategyId: string, eventId: string, timeoutMs = 15000) {
  return eventually(
    async () => (await logs(server, strategyId)).find((l) => l.category === 'engine' && l.context?.eventId === eventId),
    timeoutMs,
    `event ${eventId} to be processed`,
  );
}

/** `ctx.state` as saved, read through the database the server uses. */
export async function savedState(server: TestServer, strategyId: string): Promise<Record<string, unknown> | null> {
  const { DataSource } = await import('typeorm');
  const rows = (await server.app.get(DataSource).query(`SELECT state FROM strategies WHERE id = '${strategyId}'`)) as {
    state: string | null;
  }[];
  return rows[0]?.state ? (JSON.parse(rows[0].state) as Record<string, unknown>) : null;
}

/** STRATEGY messages the server publishes, as the /ws gateway would forward them. */
export function strategyMessages(server: TestServer): StrategyData[] {
  const seen: StrategyData[] = [];
  server.app.get(EventBus).subscribe((message: ServerMessage) => {
    if (message.type === 'STRATEGY') seen.push(message.data);
  });
  return seen;
}
