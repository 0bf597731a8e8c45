/** Tradovate entities as the user-data socket and REST API send them (only the fields used here). */
export interface TvAccount {
  id: number;
  name: string;
  active?: boolean;
}
export interface TvOrder {
  id: number;
  accountId: number;
  contractId: number;
  timestamp?: string;
  action: 'Buy' | 'Sell';
  ordStatus: string;
  ocoId?: number | null;
  parentId?: number | null;
  linkedId?: number | null;
}
export interface TvFill {
  id: number;
  orderId: number;
  contractId: number;
  timestamp: string;
  action: 'Buy' | 'Sell';
  qty: number;
  price: number;
  active?: boolean;
}
export interface TvPosition {
  id: number;
  accountId: number;
  contractId: number;
  netPos: number;
  netPrice?: number | null;
}
export interface TvCommand {
  id: number;
  orderId: number;
  timestamp?: string;
  clOrdId?: string | null;
  commandType?: string;
  commandStatus?: string;
  isAutomated?: boolean | null;
}
/** How a command fared: `RiskRejected` with `rejectReason` and `text` is how a risk check says no. */
export interface TvCommandReport {
  id: number;
  commandId: number;
  commandStatus?: string;
  rejectReason?: string | null;
  text?: string | null;
  ordStatus?: string | null;
}
export interface TvExecutionReport {
  id: number;
  orderId: number;
  ordStatus?: string;
  execType?: string;
  rejectReason?: string | null;
  text?: string | null;
}
export interface TvOrderVersion {
  id: number;
  orderId: number;
  orderQty: number;
  orderType: string;
  price?: number | null;
  stopPrice?: number | null;
}
export interface TvContract {
  id: number;
  name: string;
}
export interface TvCashBalance {
  id: number;
  accountId: number;
  amount?: number;
  realizedPnL?: number;
}

/** `user/syncrequest`'s answer names each entity type in the plural. */
const PLURALS: Record<string, string> = {
  accounts: 'account',
  orders: 'order',
  fills: 'fill',
  positions: 'position',
  commands: 'command',
  commandReports: 'commandReport',
  executionReports: 'executionReport',
  orderVersions: 'orderVersion',
  contracts: 'contract',
  cashBalances: 'cashBalance',
};

/** The entity types a partner login asks `user/syncrequest` for (its default is none). */
export const SYNCED_ENTITY_TYPES = Object.values(PLURALS);

/** Command statuses that end a command without an order at the exchange. */
const REFUSED_COMMANDS = new Set(['RiskRejected', 'ExecutionRejected']);

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const said = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '' && v.trim() !== 'Success';

/** Why an entity cannot be used (a fill with no price would book nonsense), or undefined. */
export function malformed(entityType: string, row: unknown): string | undefined {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return 'not an object';
  const r = row as Record<string, unknown>;
  if (!isNumber(r.id)) return 'no numeric id';
  if (entityType === 'fill') {
    if (!isNumber(r.orderId) || !isNumber(r.contractId)) return 'no orderId or contractId';
    if (!isNumber(r.qty) || r.qty <= 0 || !Number.isInteger(r.qty)) return `quantity ${JSON.stringify(r.qty)}`;
    if (!isNumber(r.price)) return `price ${JSON.stringify(r.price)}`;
    if (r.action !== 'Buy' && r.action !== 'Sell') return `action ${JSON.stringify(r.action)}`;
  }
  if (entityType === 'order' && (!isNumber(r.accountId) || (r.action !== 'Buy' && r.action !== 'Sell'))) return 'no accountId or action';
  return undefined;
}

/**
 * The user's state as `user/syncrequest` delivered it and `props` events changed it since. An
 * event's `entity` may be one entity or an array of them (Tradovate's own C# client takes both);
 * malformed entities are left out and named to the caller.
 */
export class SyncState {
  readonly accounts = new Map<number, TvAccount>();
  readonly orders = new Map<number, TvOrder>();
  readonly fills = new Map<number, TvFill>();
  readonly positions = new Map<number, TvPosition>();
  readonly commands = new Map<number, TvCommand>();
  readonly commandReports = new Map<number, TvCommandReport>();
  readonly executionReports = new Map<number, TvExecutionReport>();
  readonly orderVersions = new Map<number, TvOrderVersion>();
  readonly contracts = new Map<number, TvContract>();
  readonly cashBalances = new Map<number, TvCashBalance>();

  private table(entityType: string): Map<number, { id: number }> | undefined {
    switch (entityType) {
      case 'account':
        return this.accounts;
      case 'order':
        return this.orders;
      case 'fill':
        return this.fills;
      case 'position':
        return this.positions;
      case 'command':
        return this.commands;
      case 'commandReport':
        return this.commandReports;
      case 'executionReport':
        return this.executionReports;
      case 'orderVersion':
        return this.orderVersions;
      case 'contract':
        return this.contracts;
      case 'cashBalance':
        return this.cashBalances;
      default:
        return undefined;
    }
  }

  /** Loads (a part of) the answer to `user/syncrequest`: `{accounts: [...], orders: [...], ...}`. */
  load(snapshot: Record<string, unknown>, onMalformed?: (entityType: string, problem: string) => void): void {
    for (const [key, entityType] of Object.entries(PLURALS)) {
      const items = snapshot[key];
      if (Array.isArray(items)) this.apply(entityType, 'Created', items, onMalformed);
    }
  }

  /** Applies one `props` event; returns the entities it carried that were applied, one by one. */
  apply(entityType: string, eventType: string, entity: unknown, onMalformed?: (entityType: string, problem: string) => void): unknown[] {
    const table = this.table(entityType);
    const rows = Array.isArray(entity) ? entity : [entity];
    const applied: unknown[] = [];
    for (const row of rows) {
      const problem = table ? malformed(entityType, row) : undefined;
      if (problem) {
        onMalformed?.(entityType, problem);
        continue;
      }
      applied.push(row);
      if (!table) continue;
      const { id } = row as { id: number };
      if (eventType === 'Deleted') table.delete(id);
      else table.set(id, { ...(table.get(id) ?? {}), ...(row as object), id });
    }
    return applied;
  }

  /** The command that created an order (its first `New` command). */
  commandOf(orderId: number): TvCommand | undefined {
    let first: TvCommand | undefined;
    for (const command of this.commands.values()) {
      if (command.orderId !== orderId || (command.commandType && command.commandType !== 'New')) continue;
      if (!first || command.id < first.id) first = command;
    }
    return first;
  }

  /** The clOrdId the order's command carries, when Tradovate copied it there. */
  clOrdIdOf(orderId: number): string | undefined {
    for (const command of this.commands.values()) if (command.orderId === orderId && command.clOrdId) return command.clOrdId;
    return undefined;
  }

  /** A command of this order was refused (risk check, execution): its report says so. */
  refusedCommand(orderId: number): TvCommandReport | undefined {
    for (const report of this.commandReports.values()) {
      if (!REFUSED_COMMANDS.has(report.commandStatus ?? '')) continue;
      if (this.commands.get(report.commandId)?.orderId === orderId) return report;
    }
    return undefined;
  }

  /** Why an order was rejected, in Tradovate's words: its command reports' and execution reports' text and reason. */
  rejectionOf(orderId: number): string | undefined {
    const found: string[] = [];
    const add = (text: unknown, reason: unknown) => {
      const words = [text, reason].filter(said).map((w) => w.trim());
      const line = [...new Set(words)].join(' — ');
      if (line && !found.includes(line)) found.push(line);
    };
    for (const report of this.commandReports.values()) {
      if (this.commands.get(report.commandId)?.orderId !== orderId) continue;
      if (REFUSED_COMMANDS.has(report.commandStatus ?? '') || said(report.rejectReason)) add(report.text, report.rejectReason);
    }
    for (const report of this.executionReports.values()) if (report.orderId === orderId) add(report.text, report.rejectReason);
    return found.length ? found.join('; ') : undefined;
  }

  versionOf(orderId: number): TvOrderVersion | undefined {
    let latest: TvOrderVersion | undefined;
    for (const version of this.orderVersions.values())
      if (version.orderId === orderId && (!latest || version.id > latest.id)) latest = version;
    return latest;
  }

  /** Forgets everything but the contract names, before a fresh `user/syncrequest`. */
  clear(): void {
    for (const table of [
      this.accounts,
      this.orders,
      this.fills,
      this.positions,
      this.commands,
      this.commandReports,
      this.executionReports,
      this.orderVersions,
      this.cashBalances,
    ])
      table.clear();
  }
}
