/**
 * When each strategy's newest accepted alert arrived (duplicates and refused alerts are not
 * stored, so they do not count). The webhooks module, which owns the alerts and sits above
 * strategies, provides this app-wide.
 */
export abstract class LastSignals {
  /** Strategy id → time of its newest accepted alert; `strategyId` narrows it to one strategy. */
  abstract of(strategyId?: string): Promise<Map<string, number>>;
}
