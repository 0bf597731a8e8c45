import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeExchange, FakeOrder, FakeUser } from './fake-exchange.js';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: Record<string, unknown> | null;
  token: string | null;
  at: number;
}

export interface ScriptedAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Endpoints that place, cancel or liquidate: on a live account only an approved device may call them. */
/** The `timeInForce` values of Tradovate's PlaceOrder. */
const TIMES_IN_FORCE = ['Day', 'FOK', 'GTC', 'GTD', 'IOC'];
const ORDER_PATHS = new Set(['order/placeorder', 'order/placeoso', 'order/cancelorder', 'order/liquidateposition']);

/**
 * The fake's REST API. It answers in the documented shapes — commands with `failureReason:
 * "Success"` when they succeed, renewals without an mdAccessToken, penalty tickets that only the
 * same request with the ticket (in the body of a POST, the query of a GET) clears after `p-time` —
 * and enforces what the docs require: `isAutomated: true` on orders a program sends, an approved
 * device for orders on live accounts (else HTTP 401).
 */
export class FakeRest {
  readonly requests: RecordedRequest[] = [];
  /** Answer every successful command with `failureReason: "Success"` beside its id (a documented enum value). */
  successReason = true;
  /** Answer placeOSO with `oso2Id: null`, as one client library reports Tradovate doing. */
  osoNullLinks = false;
  private readonly scripted = new Map<string, ScriptedAnswer[]>();
  private readonly penalties = new Map<string, { ticket: string; seconds: number; captcha: boolean; issuedAt: number }>();
  private refuseNext: { failureReason: string; failureText: string }[] = [];

  constructor(
    private readonly exchange: FakeExchange,
    private readonly environment: 'demo' | 'live',
  ) {}

  answerNext(path: string, answer: ScriptedAnswer, times = 1): void {
    const list = this.scripted.get(path.toLowerCase()) ?? [];
    for (let i = 0; i < times; i++) list.push(answer);
    this.scripted.set(path.toLowerCase(), list);
  }

  penalize(path: string, seconds: number, captcha: boolean): void {
    this.penalties.set(path.toLowerCase(), { ticket: `ticket-${this.exchange.id()}`, seconds, captcha, issuedAt: 0 });
  }

  refuseNextOrder(failureReason: string, failureText: string): void {
    this.refuseNext.push({ failureReason, failureText });
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname.replace(/^\/v1\//, '').toLowerCase();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString();
    let body: Record<string, unknown> | null = null;
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : null;
    } catch {
      return reply(res, 400, 'Bad JSON');
    }
    const token = req.headers.authorization?.replace(/^Bearer /, '') ?? null;
    const query = Object.fromEntries(url.searchParams);
    this.requests.push({ method: req.method ?? 'GET', path, query, body, token, at: Date.now() });

    const scripted = this.scripted.get(path)?.shift();
    if (scripted) return reply(res, scripted.status, scripted.body, scripted.headers);

    const penalty = this.penalties.get(path);
    if (penalty) {
      const early = Date.now() - penalty.issuedAt < penalty.seconds * 1000;
      const ticket = req.method === 'GET' ? query['p-ticket'] : body?.['p-ticket'];
      if (ticket !== penalty.ticket || early || penalty.captcha) {
        penalty.issuedAt = Date.now();
        return reply(res, 200, {
          'p-ticket': penalty.ticket,
          'p-time': penalty.seconds,
          ...(penalty.captcha ? { 'p-captcha': true } : {}),
        });
      }
      this.penalties.delete(path);
    }

    if (path === 'auth/accesstokenrequest') return reply(res, 200, this.login(body ?? {}));
    const session = this.exchange.valid(token);
    if (!session) return reply(res, 401, '');
    const user = this.exchange.users.find((u) => u.userId === session.userId)!;
    if (ORDER_PATHS.has(path) && this.environment === 'live' && !(session.deviceId && user.approvedDevices?.includes(session.deviceId))) {
      return reply(res, 401, '');
    }
    if (ORDER_PATHS.has(path) && body?.isAutomated !== true) {
      return reply(res, 200, { failureReason: 'UnknownReason', failureText: 'isAutomated must be true for orders a program places' });
    }
    const owns = (accountId: unknown) => user.accounts.some((a) => a.id === accountId);
    const ok = (fields: Record<string, unknown>) =>
      reply(res, 200, { ...(this.successReason ? { failureReason: 'Success' } : {}), ...fields });

    switch (path) {
      case 'auth/renewaccesstoken':
        return reply(res, 200, this.exchange.issue(user, session.deviceId, false));
      case 'auth/me':
        return reply(res, 200, { userId: user.userId, name: user.name, fullName: user.name, emailVerified: true, isTrial: false });
      case 'account/list':
        return reply(
          res,
          200,
          user.accounts.map((a) => ({ ...a, userId: user.userId, active: true })),
        );
      case 'contract/find': {
        const name = url.searchParams.get('name') ?? '';
        return reply(res, 200, /^[A-Z0-9]{2,4}[FGHJKMNQUVXZ]\d$/.test(name) ? { id: this.exchange.contractId(name), name } : null);
      }
      case 'contract/item': {
        const id = Number(url.searchParams.get('id'));
        const name = this.exchange.symbolOf(id);
        return reply(res, 200, name ? { id, name } : null);
      }
      case 'position/list':
        return reply(
          res,
          200,
          [...this.exchange.positions.values()].filter((p) => owns(p.accountId)),
        );
      case 'cashbalance/getcashbalancesnapshot':
        if (!owns(body?.accountId)) return reply(res, 200, { errorText: 'Access is denied' });
        return reply(res, 200, { totalCashValue: 50_000, netLiq: 50_125, openPnL: 125, realizedPnL: 0, weekRealizedPnL: 0 });
      case 'order/placeorder':
      case 'order/placeoso':
        return this.place(res, path, body!, owns, ok);
      case 'order/cancelorder': {
        const order = this.exchange.orders.get(Number(body?.orderId));
        if (!order || !owns(order.accountId)) return reply(res, 200, { failureReason: 'UnknownReason', failureText: 'Order not found' });
        if (!['Working', 'Suspended', 'PendingNew', 'PendingReplace'].includes(order.ordStatus)) {
          return reply(res, 200, { failureReason: 'TooLate', failureText: `Order is ${order.ordStatus}` });
        }
        this.exchange.cancel([order]);
        return ok({ commandId: this.exchange.id() });
      }
      case 'order/liquidateposition': {
        const accountId = Number(body?.accountId);
        const contractId = Number(body?.contractId);
        if (!owns(accountId)) return reply(res, 200, { failureReason: 'UnknownReason', failureText: 'Access is denied' });
        // The docs: it cancels the contract's orders and closes the position.
        this.exchange.cancel(
          [...this.exchange.orders.values()].filter(
            (o) => o.accountId === accountId && o.contractId === contractId && o.ordStatus === 'Working',
          ),
        );
        const position = this.exchange.positions.get(`${accountId}:${contractId}`);
        if (!position?.netPos) return reply(res, 200, { failureReason: 'UnknownReason', failureText: 'No position' });
        const order = this.exchange.createOrder({
          accountId,
          symbol: this.exchange.symbolOf(contractId)!,
          action: position.netPos > 0 ? 'Sell' : 'Buy',
          qty: Math.abs(position.netPos),
          orderType: 'Market',
          isAutomated: true,
        });
        this.exchange.activate(order);
        return ok({ orderId: order.id });
      }
      default:
        return reply(res, 404, `"Not found: ${path}"`);
    }
  }

  private place(
    res: ServerResponse,
    path: string,
    body: Record<string, unknown>,
    owns: (accountId: unknown) => boolean,
    ok: (fields: Record<string, unknown>) => void,
  ): void {
    if (!owns(body.accountId)) return reply(res, 200, { failureReason: 'UnknownReason', failureText: 'Access is denied' });
    const refusal = this.refuseNext.shift();
    if (refusal) return reply(res, 200, refusal);
    const timeInForce = body.timeInForce as string | undefined;
    if (timeInForce !== undefined && !TIMES_IN_FORCE.includes(timeInForce)) {
      return reply(res, 200, { failureReason: 'UnknownReason', failureText: `Invalid timeInForce: ${String(timeInForce)}` });
    }
    if (timeInForce === 'GTD' && !body.expireTime) {
      return reply(res, 200, { failureReason: 'UnknownReason', failureText: 'expireTime is required for GTD' });
    }
    const order = this.exchange.createOrder({
      accountId: body.accountId as number,
      symbol: String(body.symbol),
      action: body.action as 'Buy' | 'Sell',
      qty: Number(body.orderQty),
      orderType: body.orderType as 'Market' | 'Limit' | 'Stop',
      price: body.price as number | undefined,
      stopPrice: body.stopPrice as number | undefined,
      timeInForce,
      clOrdId: body.clOrdId as string | undefined,
      isAutomated: true,
    });
    const legs: FakeOrder[] = [];
    for (const key of ['bracket1', 'bracket2']) {
      const bracket = body[key] as Record<string, unknown> | undefined;
      if (!bracket || path !== 'order/placeoso') continue;
      legs.push(
        this.exchange.createOrder({
          accountId: order.accountId,
          symbol: order.symbol,
          action: bracket.action as 'Buy' | 'Sell',
          qty: order.qty,
          orderType: bracket.orderType as 'Limit' | 'Stop',
          price: bracket.price as number | undefined,
          stopPrice: bracket.stopPrice as number | undefined,
          parentId: order.id,
          ordStatus: 'Suspended',
          isAutomated: true,
        }),
      );
    }
    order.children = legs.map((l) => l.id);
    for (const leg of legs) leg.oco = legs.filter((l) => l !== leg).map((l) => l.id);
    this.exchange.activate(order);
    if (path === 'order/placeorder') return ok({ orderId: order.id });
    return ok({ orderId: order.id, oso1Id: legs[0]?.id ?? null, oso2Id: this.osoNullLinks ? null : (legs[1]?.id ?? null) });
  }

  private login(body: Record<string, unknown>) {
    const user: FakeUser | undefined = this.exchange.users.find((u) => u.name === body.name);
    if (!user || user.password !== body.password || user.sec !== body.sec || typeof body.cid !== 'number') {
      return { errorText: 'Incorrect username or password. Please try again, noting that passwords are case-sensitive.' };
    }
    if (user.refuseLogin) return { errorText: user.refuseLogin };
    // Any device may log in; only approved ones may trade live accounts.
    return this.exchange.issue(user, typeof body.deviceId === 'string' ? body.deviceId : null, true);
  }
}

export function reply(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body === undefined || body === '' ? '' : JSON.stringify(body));
}
