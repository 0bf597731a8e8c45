/**
 * The REST API's shapes: what each endpoint answers (`…View`) and what it takes (`…Input`). The
 * server's views are typed with them and the admin reads them, so the two cannot drift apart.
 */
export * from './accounts.js';
export * from './auth.js';
export * from './common.js';
export * from './ledger.js';
export * from './logs.js';
export * from './notifications.js';
export * from './orders.js';
export * from './pnl.js';
export * from './scripts.js';
export * from './strategies.js';
export * from './system.js';
export * from './analytics.js';
export * from './journal.js';
export * from './backtests.js';
