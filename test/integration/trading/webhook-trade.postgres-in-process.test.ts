import { createPostgresDatabase } from '../../support/app.js';
import { defineTradingSuite } from '../../support/trading.suite.js';

// PostgreSQL with the in-process queue: one process, its units of work each on a connection of the pool.
defineTradingSuite('PostgreSQL, in-process queue', async () => {
  const database = await createPostgresDatabase();
  return { databaseUrl: database.url, cleanup: database.drop };
});
