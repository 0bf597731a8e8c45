import { Logger } from '@nestjs/common';
import { TestLogger } from './support/test-log.js';

// Every test sees UTC unless it sets a zone of its own (trading-day tests do).
process.env.TZ = 'UTC';

// Server parts a test builds without a whole app (a leader lock, a queue) log like test servers do:
// into the test's buffer, printed if it fails.
Logger.overrideLogger(new TestLogger());
