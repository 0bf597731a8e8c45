export * from './alerts.js';
export * from './instruments.js';
export * from './money.js';
export * from './pnl.js';
export * from './trading-day.js';
export * from './execution-controls.js';
