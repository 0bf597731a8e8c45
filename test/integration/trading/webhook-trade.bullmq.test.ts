import { REDIS_URL } from '../../support/app.js';
import { defineTradingSuite } from '../../support/trading.suite.js';

defineTradingSuite('SQLite, BullMQ on Redis', async () => ({ redisUrl: REDIS_URL }));
