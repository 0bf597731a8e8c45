import 'reflect-metadata';
import { createApp } from './app.factory.js';
import { ConfigError, loadConfig } from './config/load-config.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Tradeloop cannot start: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const app = await createApp(config);
  await app.listen({ port: config.server.port, host: config.server.host });
  const base = config.server.publicUrl || `http://localhost:${config.server.port}`;
  console.log(
    `\nTradeloop is running\n  admin:   ${base}/\n  API:     ${base}/api/docs\n  login:   none yet (the admin is open on this machine; see the README)\n`,
  );
}

void main();
