// Every test sees UTC unless it sets a zone of its own (trading-day tests do).
process.env.TZ = 'UTC';
