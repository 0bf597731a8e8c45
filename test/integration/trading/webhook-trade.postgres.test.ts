import { createPostgresDatabase, REDIS_URL } from '../../support/app.js';
import { defineTradingSuite } from '../../support/trading.suite.js';

defineTradingSuite('PostgreSQL, BullMQ on Redis', async () => {
  const database = await createPostgresDatabase();
  return { databaseUrl: database.url, redisUrl: REDIS_URL, cleanup: database.drop };
});
