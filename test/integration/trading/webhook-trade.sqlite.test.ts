import { defineTradingSuite } from '../../support/trading.suite.js';

defineTradingSuite('SQLite, in-process queue', async () => ({}));
