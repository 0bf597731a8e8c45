export * from './market.js';
export * from './orders.js';
export * from './plugins.js';
export * from './realtime.js';
export * from './webhook.js';
export * from './strategy-api.js';
export * from './controls.js';
export * from './api/index.js';
