/** A fill price's source as the tables show it: short, with the whole story in a tooltip; demo prices stand out. */
export interface PriceSourceLabel {
  text: string;
  title: string;
  /** Made-up prices (the simulated feed): never the market's. */
  demo: boolean;
}

/** `quote:<feed>`, `alert`, `simulated`, `broker`; null for fills booked before sources were kept. */
export function priceSourceLabel(source: string | null | undefined): PriceSourceLabel | null {
  if (!source || source === 'unrecorded') return null;
  if (source === 'alert')
    return { text: 'alert', title: 'The price TradingView put in the alert (no real feed quoted the ticker)', demo: false };
  if (source === 'simulated') {
    return { text: 'demo', title: 'The simulated feed: demo data, not a market price (switch it off in Settings)', demo: true };
  }
  if (source === 'broker') return { text: 'broker', title: "The broker's own fill", demo: false };
  if (source.startsWith('quote:')) {
    const feed = source.slice('quote:'.length) || 'a feed';
    return { text: 'quote', title: `A live quote from ${feed}`, demo: false };
  }
  return { text: source, title: source, demo: false };
}
