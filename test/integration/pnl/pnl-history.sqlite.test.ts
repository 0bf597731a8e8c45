import { definePnlHistorySuite } from '../../support/pnl-history.suite.js';

definePnlHistorySuite('SQLite', async () => ({}));
