import { createPostgresDatabase } from '../../support/app.js';
import { definePnlHistorySuite } from '../../support/pnl-history.suite.js';

definePnlHistorySuite('PostgreSQL', async () => {
  const database = await createPostgresDatabase();
  return { databaseUrl: database.url, cleanup: database.drop };
});
