import { ORDER_TYPE, STATUS, type PxContract } from '../wire.js';
import type { FakeExchange, FakeOrder } from './fake-exchange.js';
import type { FakeUser } from './fake-user.js';

/** What the routes use of the fake gateway (FakeProjectX). */
interface RoutedGateway {
  readonly exchange: FakeExchange;
  readonly contracts: PxContract[];
  swallowNextPlace: boolean;
  renewToken(user: FakeUser, old: string): string;
}

type Body = Record<string, unknown>;
type Answer = Record<string, unknown> | { success: false; errorCode: number; errorMessage: string } | 'swallow' | null;

const refuse = (errorCode: number, errorMessage: string) => ({ success: false as const, errorCode, errorMessage });
const isPrice = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;
const since = (body: Body) => Date.parse(String(body['startTimestamp'] ?? '')) || 0;

/** The REST endpoints of the fake gateway, with ProjectX's field names and refusals as success:false. */
export function route(fake: RoutedGateway, user: FakeUser, path: string, body: Body, token: string): Answer {
  const ex = fake.exchange;
  const mine = (accountId: unknown) => user.accounts.some((a) => a.id === accountId);
  switch (path) {
    case '/api/Auth/validate':
      return { newToken: fake.renewToken(user, token) };
    case '/api/Account/search':
      return { accounts: user.accounts.filter((a) => !body['onlyActiveAccounts'] || a.canTrade) };
    case '/api/Contract/search': {
      const text = String(body['searchText'] ?? '').toUpperCase();
      return { contracts: fake.contracts.filter((c) => c.name.includes(text) || c.description.toUpperCase().includes(text)) };
    }
    case '/api/Contract/searchById':
      return { contract: fake.contracts.find((c) => c.id === body['contractId']) ?? null };
    case '/api/Order/place':
      return place(fake, body, mine);
    case '/api/Order/cancel': {
      const order = ex.orders.get(Number(body['orderId']));
      if (!order || !mine(body['accountId']) || order.accountId !== body['accountId']) return refuse(1, 'Order not found');
      if (order.status !== STATUS.open) return refuse(2, 'Order is not open');
      ex.cancel(order);
      return {};
    }
    case '/api/Order/modify': {
      const order = ex.orders.get(Number(body['orderId']));
      if (!order || order.accountId !== body['accountId']) return refuse(1, 'Order not found');
      if (order.status !== STATUS.open) return refuse(2, 'Order is not open');
      if (body['size'] != null) order.size = Number(body['size']);
      if (body['limitPrice'] != null) order.limitPrice = Number(body['limitPrice']);
      if (body['stopPrice'] != null) order.stopPrice = Number(body['stopPrice']);
      if (body['trailPrice'] != null) order.trailPrice = Number(body['trailPrice']);
      ex.add(ex.orders.get(order.id)!); // tells the hub and matches at the new prices
      return {};
    }
    case '/api/Order/searchOpen':
      return { orders: [...ex.orders.values()].filter((o) => o.accountId === body['accountId'] && o.status === STATUS.open).map(wire) };
    case '/api/Order/search':
      return {
        orders: [...ex.orders.values()]
          .filter((o) => o.accountId === body['accountId'] && Date.parse(o.creationTimestamp) >= since(body))
          .map(wire),
      };
    case '/api/Position/searchOpen':
      return { positions: [...ex.positions.values()].filter((p) => p.accountId === body['accountId']) };
    case '/api/Position/closeContract': {
      const position = ex.positions.get(`${String(body['accountId'])}|${String(body['contractId'])}`);
      if (!position) return refuse(1, 'Position not found');
      const order: FakeOrder = {
        id: ex.newOrderId(),
        accountId: position.accountId,
        contractId: position.contractId,
        creationTimestamp: new Date().toISOString(),
        status: STATUS.open,
        type: ORDER_TYPE.market,
        side: position.type === 1 ? 1 : 0,
        size: position.size,
      };
      ex.add(order);
      return {};
    }
    case '/api/Trade/search':
      return { trades: ex.trades.filter((t) => t.accountId === body['accountId'] && Date.parse(t.creationTimestamp) >= since(body)) };
    default:
      return null;
  }
}

const wire = (o: FakeOrder) => ({ ...o, extreme: undefined });

function place(fake: RoutedGateway, body: Body, mine: (id: unknown) => boolean): Answer {
  const ex = fake.exchange;
  const accountId = body['accountId'];
  if (!mine(accountId)) return refuse(1, 'Account not found');
  const contract = fake.contracts.find((c) => c.id === body['contractId']);
  if (!contract) return refuse(2, 'Contract not found');
  const type = body['type'];
  if (!Object.values(ORDER_TYPE).includes(type as never)) return refuse(3, 'Invalid order type');
  if (body['side'] !== 0 && body['side'] !== 1) return refuse(3, 'Invalid side');
  const size = body['size'];
  if (typeof size !== 'number' || !Number.isInteger(size) || size <= 0) return refuse(3, 'Invalid size');
  if (type === ORDER_TYPE.limit && !isPrice(body['limitPrice'])) return refuse(3, 'Limit price is required');
  if (type === ORDER_TYPE.stop && !isPrice(body['stopPrice'])) return refuse(3, 'Stop price is required');
  if (type === ORDER_TYPE.trailingStop && !isPrice(body['trailPrice'])) return refuse(3, 'Trail price is required');
  const tag = typeof body['customTag'] === 'string' ? body['customTag'] : null;
  if (tag && [...ex.orders.values()].some((o) => o.accountId === accountId && o.customTag === tag))
    return refuse(2, 'Custom tag is already in use');
  const order: FakeOrder = {
    id: ex.newOrderId(),
    accountId: accountId as number,
    contractId: contract.id,
    creationTimestamp: new Date().toISOString(),
    updateTimestamp: null,
    status: STATUS.open,
    type: type as number,
    side: body['side'],
    size,
    limitPrice: isPrice(body['limitPrice']) ? body['limitPrice'] : null,
    stopPrice: isPrice(body['stopPrice']) ? body['stopPrice'] : null,
    trailPrice: isPrice(body['trailPrice']) ? body['trailPrice'] : null,
    fillVolume: 0,
    filledPrice: null,
    customTag: tag,
  };
  // The order is live (and may fill) before the answer leaves: its fill can reach the hub first.
  ex.add(order);
  if (fake.swallowNextPlace) {
    fake.swallowNextPlace = false;
    return 'swallow';
  }
  return { orderId: order.id };
}
