import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { createApp } from './app.factory.js';
import { AppModule } from './app.module.js';
import { AuthService } from './auth/auth.service.js';
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
  // Nest closes the app on the first signal (in-flight events finish, the rest wait in the database);
  // a second one stops at once.
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) {
        console.error(`${signal} again: stopping now without waiting`);
        process.exit(1);
      }
      stopping = true;
      console.log(`${signal}: finishing in-flight events, then stopping (send it again to stop at once)`);
    });
  }
  if (config.role === 'worker') {
    // No HTTP: a worker takes events from the queue, runs strategies and talks to brokers and feeds.
    const worker = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error', 'warn', 'log'] });
    worker.enableShutdownHooks();
    console.log(`\nTradeloop worker is running (queue on ${new URL(config.redis.url).host})\n`);
    return;
  }
  const app = await createApp(config);
  await app.listen({ port: config.server.port, host: config.server.host });
  const base = config.server.publicUrl || `http://localhost:${config.server.port}`;
  // The generated password is shown here once, on the console only: it is never written to the log table.
  const generated = app.get(AuthService).firstStartPassword;
  const login = generated
    ? `${config.auth.adminUser} / ${generated}   (generated on this first start and shown only now: keep it)`
    : `${config.auth.adminUser} (password ${config.auth.adminPassword ? 'from ADMIN_PASSWORD' : 'set on the first start; ADMIN_PASSWORD=… resets it'})`;
  console.log(
    `\nTradeloop${config.role === 'api' ? ' api' : ''} is running\n  admin:   ${base}/\n  API:     ${base}/api/docs\n  login:   ${login}\n`,
  );
}

void main();
