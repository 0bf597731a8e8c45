/** Jest's globalTeardown: stops the embedded PostgreSQL the preflight started, if it did. */
export default async function teardown(): Promise<void> {
  await (globalThis as { embeddedPostgres?: { stop(): Promise<void> } }).embeddedPostgres?.stop();
}
