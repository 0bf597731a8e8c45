import { JournalEntry, JournalTag } from '../journal/journal-entry.entity.js';
import { OrderTimeline } from './order-timeline.entity.js';
import { TradeExcursionRow } from './trade-excursion.entity.js';

/** The tables execution analytics and the journal own (registered with the connection). */
export const ANALYTICS_ENTITIES = [OrderTimeline, TradeExcursionRow, JournalEntry, JournalTag];
