import type { Redis } from 'ioredis';
import { closeRedis, orderPathRedis } from '../infra/redis-connections.js';

/** An order allowed by some process that opened or grew a position, not yet in the positions. */
export interface OrderInFlightElsewhere {
  id: string;
  ticker: string;
  /** The key of the position it moves (a link's, a strategy's, '' for manual). */
  positionKey: string;
  /** Signed quantity still to fill: positive buys, negative sells. */
  signed: number;
  market: boolean;
}

/**
 * An account's orders in flight as every process sees them (Redis): each process also keeps its
 * own in memory (OrdersInFlight), where a check and its count need no await between them; that
 * holds one process to an account's position limit, not two workers placing its orders at once.
 */
export interface SharedOrdersInFlight {
  /**
   * Adds the order to the account's orders in flight, and answers those there before it (but
   * itself): one script, so of two processes reserving at once one sees the other. Orders whose
   * time is over (`until`) are dropped on the way.
   */
  reserve(accountId: string, order: OrderInFlightElsewhere, now: number, until: number): Promise<OrderInFlightElsewhere[]>;
  /** Its fills are in the positions and `remaining` is still to fill, or (0) it ended or was refused. */
  land(accountId: string, orderId: string, remaining: number): Promise<void>;
  close(): Promise<void>;
}

export const SHARED_ORDERS_IN_FLIGHT = Symbol('SHARED_ORDERS_IN_FLIGHT');

// KEYS[1]: the account's hash, order id → the order as JSON, with `u`, when it stops counting.
// ARGV: now, the order's id, the order as JSON (with `u`), how long the hash outlives its last order.
const RESERVE = `
local now = tonumber(ARGV[1])
local all = redis.call('HGETALL', KEYS[1])
local before = {}
for i = 1, #all, 2 do
  if cjson.decode(all[i + 1]).u <= now then
    redis.call('HDEL', KEYS[1], all[i])
  elseif all[i] ~= ARGV[2] then
    before[#before + 1] = all[i + 1]
  end
end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return before`;

// KEYS[1]: the account's hash. ARGV: the order's id, what is still to fill.
const LAND = `
local order = redis.call('HGET', KEYS[1], ARGV[1])
if not order then return 0 end
local remaining = tonumber(ARGV[2])
if remaining <= 0 then return redis.call('HDEL', KEYS[1], ARGV[1]) end
local decoded = cjson.decode(order)
if decoded.q < 0 then decoded.q = -remaining else decoded.q = remaining end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(decoded))
return 1`;

interface Stored {
  id: string;
  t: string;
  k: string;
  q: number;
  m: boolean;
  u: number;
}

type InFlightRedis = Redis & {
  reserveInFlight(key: string, now: number, orderId: string, order: string, keepMs: number): Promise<string[]>;
  landInFlight(key: string, orderId: string, remaining: number): Promise<number>;
};

/** The orders in flight in one hash an account on Redis, read and written by scripts. */
export class RedisOrdersInFlight implements SharedOrdersInFlight {
  private readonly redis: InFlightRedis;

  constructor(
    redisUrl: string,
    private readonly prefix: string,
  ) {
    this.redis = orderPathRedis(redisUrl) as InFlightRedis;
    this.redis.defineCommand('reserveInFlight', { numberOfKeys: 1, lua: RESERVE });
    this.redis.defineCommand('landInFlight', { numberOfKeys: 1, lua: LAND });
  }

  private keyOf(accountId: string): string {
    return `${this.prefix}:{in-flight}:${accountId}`;
  }

  async reserve(accountId: string, order: OrderInFlightElsewhere, now: number, until: number): Promise<OrderInFlightElsewhere[]> {
    const stored: Stored = { id: order.id, t: order.ticker, k: order.positionKey, q: order.signed, m: order.market, u: until };
    const before = await this.redis.reserveInFlight(this.keyOf(accountId), now, order.id, JSON.stringify(stored), Math.max(1, until - now));
    return before.map((json) => {
      const { id, t, k, q, m } = JSON.parse(json) as Stored;
      return { id, ticker: t, positionKey: k, signed: q, market: m };
    });
  }

  async land(accountId: string, orderId: string, remaining: number): Promise<void> {
    await this.redis.landInFlight(this.keyOf(accountId), orderId, remaining);
  }

  close(): Promise<void> {
    return closeRedis(this.redis);
  }
}
