/**
 * The entry orders whose brackets are waiting or open, and how many each strategy has: what the
 * hot path asks of every fill (does this entry have a bracket to place?) and of every alert (has
 * this strategy a bracket to stop?), where almost every answer is no. Held in memory by the one
 * process that writes brackets; changed as each write commits.
 */
export class OpenBrackets {
  /** Entry clientOrderId → its strategy. */
  private readonly strategyOf = new Map<string, string | null>();
  private readonly perStrategy = new Map<string | null, number>();

  /** The bracket of this entry is now waiting or open (`open`), or closed or cancelled. */
  set(parentClientOrderId: string, strategyId: string | null, open: boolean): void {
    const known = this.strategyOf.has(parentClientOrderId);
    if (open === known) return;
    const count = this.perStrategy.get(strategyId) ?? 0;
    if (open) {
      this.strategyOf.set(parentClientOrderId, strategyId);
      this.perStrategy.set(strategyId, count + 1);
      return;
    }
    const owner = this.strategyOf.get(parentClientOrderId)!;
    this.strategyOf.delete(parentClientOrderId);
    const left = (this.perStrategy.get(owner) ?? 1) - 1;
    if (left > 0) this.perStrategy.set(owner, left);
    else this.perStrategy.delete(owner);
  }

  has(parentClientOrderId: string): boolean {
    return this.strategyOf.has(parentClientOrderId);
  }

  anyFor(strategyId: string | null): boolean {
    return this.perStrategy.has(strategyId);
  }

  get size(): number {
    return this.strategyOf.size;
  }
}
