/**
 * Tells a link's position key (a copy of a strategy's signal to another account) from a
 * strategy's, so copies stay out of the strategies' own totals. P&L sits below strategies, so the
 * strategies module provides this, app-wide.
 */
export abstract class LinkIds {
  abstract isLink(id: string): boolean;
}
