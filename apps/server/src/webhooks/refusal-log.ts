import { describeDropped, MinuteAllowance, type ClosedMinute } from '../common/minute-allowance.js';
import type { LogInput } from '../logs/logs.service.js';

export interface Refusal {
  /** Where it came from (the client address). */
  address: string | null;
  /** The strategy it was for, when the token named one. */
  strategyId: string | null;
  /** The HTTP status it was answered with. */
  status: number;
  /** Why, in the words the answer used. */
  reason: string;
  context?: Record<string, unknown>;
  /** Finds the strategy for the line that is written (not for every refusal): a 413 names only a token. */
  strategyOf?: () => Promise<string | null>;
}

/**
 * Refused webhooks in the log, at most once a minute per address, strategy and status: the first
 * is written with its reason, the rest are counted and summed up in one line once the minute is
 * over. A flood of refusals — oversized bodies, unknown tokens, bad JSON — writes a handful of
 * lines, not one per request.
 */
export class RefusalLog {
  private readonly allowance = new MinuteAllowance(1, 10_000);

  constructor(private readonly write: (line: LogInput) => Promise<void>) {}

  async note(refusal: Refusal): Promise<void> {
    const key = JSON.stringify([refusal.address ?? 'unknown', refusal.strategyId ?? '', refusal.status]);
    const decision = this.allowance.take(key, String(refusal.status));
    if (decision.closed) await this.summarize(decision.closed);
    if (!decision.allowed) return;
    await this.write({
      level: 'warn',
      category: 'webhook',
      strategyId: refusal.strategyId ?? (await refusal.strategyOf?.().catch(() => null)) ?? null,
      message: `webhook refused: ${refusal.reason}`,
      context: {
        status: refusal.status,
        sourceIp: refusal.address,
        ...refusal.context,
        more: 'further refusals like this one from this address this minute are counted, not logged one by one',
      },
    });
  }

  /** Sums up the minutes that are over (every one when `now` is Infinity). */
  async closeMinutes(now = Date.now()): Promise<void> {
    for (const closed of this.allowance.close(now)) await this.summarize(closed);
  }

  private async summarize(closed: ClosedMinute): Promise<void> {
    let address = 'many addresses';
    let strategyId: string | null = null;
    try {
      const [from, strategy] = JSON.parse(closed.key) as [string, string, number];
      [address, strategyId] = [from, strategy || null];
    } catch {
      // The shared window of addresses past the table's limit.
    }
    await this.write({
      level: 'warn',
      category: 'webhook',
      strategyId,
      message: `webhook refused ${closed.dropped.toLocaleString('en-US')} more time(s) from ${address} between ${new Date(closed.start).toISOString()} and ${new Date(closed.end).toISOString()} (status ${describeDropped(closed)})`,
    });
  }
}
