import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createApp, loggerLevels } from './app.factory.js';
import { AppModule } from './app.module.js';
import { AuthService } from './auth/auth.service.js';
import { ConfigError, loadConfig } from './config/load-config.js';
import { SecondWriterError } from './database/writers-lock.js';
import { consoleLogger } from './logs/console-logger.js';

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
  // The first signal closes the app (in-flight events finish, the rest wait in the database, P&L
  // is flushed, sockets close) and exits 0 — within server.shutdownSeconds, or the process stops
  // anyway (exit 1: what did not finish runs again at the next start); a second one stops at once.
  // Nest's own shutdown hooks are not used: they re-raise the signal after closing, which reads
  // as a second one.
  let app: INestApplicationContext | undefined;
  let stopping = false;
  const limit = config.server.shutdownSeconds;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) {
        console.error(`${signal} again: stopping now without waiting`);
        process.exit(1);
      }
      stopping = true;
      console.log(`${signal}: finishing in-flight events, then stopping (at most ${limit} s; send it again to stop at once)`);
      setTimeout(() => {
        console.error(`shutdown did not finish within ${limit} s: stopping now; unfinished events run again at the next start`);
        process.exit(1);
      }, limit * 1000).unref();
      void (app?.close() ?? Promise.resolve()).then(
        () => process.exit(0),
        (error: unknown) => {
          console.error('shutdown failed:', error);
          process.exit(1);
        },
      );
    });
  }
  if (config.role === 'worker') {
    // No HTTP: a worker takes events from the queue, runs strategies and talks to brokers and feeds.
    app = await startOrExplain(() =>
      NestFactory.createApplicationContext(AppModule.forRoot(config), {
        logger: consoleLogger(loggerLevels(config.log.level)),
        abortOnError: false,
      }),
    );
    console.log(`\nTradeloop worker is running (queue on ${new URL(config.redis.url).host})\n`);
    return;
  }
  const server = await startOrExplain(() => createApp(config));
  app = server;
  await server.listen({ port: config.server.port, host: config.server.host });
  const base = config.server.publicUrl || `http://localhost:${config.server.port}`;
  // The generated password is shown here once, on the console only: it is never written to the log table.
  const generated = server.get(AuthService).firstStartPassword;
  const login = generated
    ? `${config.auth.adminUser} / ${generated}   (generated on this first start and shown only now: keep it)`
    : `${config.auth.adminUser} (password ${config.auth.adminPassword ? 'from ADMIN_PASSWORD, or changed in the admin since it was applied' : 'set on the first start; a new ADMIN_PASSWORD=… resets it'})`;
  console.log(
    `\nTradeloop${config.role === 'api' ? ' api' : ''} is running\n  admin:   ${base}/\n  API:     ${base}/api/docs\n  login:   ${login}\n`,
  );
}

/** A start refused because the database is another process's is not a fault to trace: its message says what to do. */
async function startOrExplain<T>(start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    if (error instanceof SecondWriterError) {
      console.error(`Tradeloop cannot start: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
}

void main();
