import type { FastifyInstance } from 'fastify';
import { releaseStale, StoreRateLimiter } from '../accounts/index.js';
import { JobRunner } from '../jobs/runner.js';
import { requeueOrphans } from '../jobs/store.js';
import { openStore, type Database } from '../store/index.js';
import { buildApp, type AppOptions } from './app.js';
import { DEFAULT_CONFIG, type ServiceConfig } from './config.js';
import type { ServerContext } from './context.js';
import { WorkerPool, type PoolOptions } from './pool.js';

export { buildApp } from './app.js';
export { configFromEnv, DEFAULT_CONFIG, type ServiceConfig } from './config.js';

export interface ServerOptions extends PoolOptions {
  port?: number;
  /** Loopback by default; `0.0.0.0` to serve the network. */
  host?: string;
  dataDir?: string;
  databaseUrl?: string;
  config?: Partial<ServiceConfig>;
  logger?: AppOptions['logger'];
}

export interface RunningServer {
  app: FastifyInstance;
  ctx: ServerContext;
  db: Database;
  url: string;
  /** Graceful stop: refuse new calls, finish the ones in flight and the running jobs, close the store. */
  close(): Promise<void>;
}

const IDEMPOTENCY_KEEP_MS = 24 * 3600 * 1000;
/** Finished request rows only guard against double charges while a call is in progress; usage keeps the totals. */
const REQUEST_ROWS_KEEP_MS = 48 * 3600 * 1000;

/** Opens the store, starts the worker pool and the job runner, and listens. */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const config: ServiceConfig = { ...DEFAULT_CONFIG, ...options.config };
  const db = await openStore({ dataDir: options.dataDir, databaseUrl: options.databaseUrl });
  // The embedded store has a single owner: whatever this process left reserved or running died with it.
  // With PostgreSQL other instances may be mid-call, so only reservations older than any call are released.
  const staleAfter = db.dialect === 'sqlite' ? 0 : config.requestTimeoutMs + 60_000;
  await releaseStale(db, staleAfter);
  if (db.dialect === 'sqlite') await requeueOrphans(db);

  const pool = new WorkerPool({ threads: options.threads, mediaThreads: options.mediaThreads, maxQueue: options.maxQueue, workerFile: options.workerFile });
  const runner = new JobRunner(db, pool, { leaseMs: config.jobLeaseMs });
  const { app, ctx } = await buildApp({ db, pool, runner, config, logger: options.logger });

  const warmup = Promise.all(Array.from({ length: pool.threads }, () => pool.run({ op: 'ready' }, 600_000)))
    .then(() => { ctx.state.ready = true; })
    .catch((error: unknown) => app.log.error({ err: { message: (error as Error).message } }, 'models failed to load; /readyz stays 503'));

  const maintenance = setInterval(() => {
    void releaseStale(db, config.requestTimeoutMs + 60_000)
      .then(() => db.run('DELETE FROM idempotency WHERE created_at < ?', [Date.now() - IDEMPOTENCY_KEEP_MS]))
      .then(() => db.run("DELETE FROM requests WHERE state <> 'reserved' AND created_at < ?", [Date.now() - REQUEST_ROWS_KEEP_MS]))
      .then(() => (ctx.limiter instanceof StoreRateLimiter ? ctx.limiter.purge() : 0))
      .catch(() => undefined);
  }, 60_000);
  maintenance.unref();

  runner.start();
  await app.listen({ port: options.port ?? 8080, host: options.host ?? '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port ?? 8080;
  const host = options.host && options.host !== '0.0.0.0' && options.host !== '::' ? options.host : '127.0.0.1';

  let closing: Promise<void> | null = null;
  return {
    app, ctx, db, url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () => closing ??= (async () => {
      ctx.state.shuttingDown = true;
      clearInterval(maintenance);
      // Fastify stops accepting at once; the calls already in progress still need the pool and the store.
      const closingApp = app.close();
      const drainDeadline = Date.now() + config.requestTimeoutMs + 5_000;
      while (ctx.state.inFlight > 0 && Date.now() < drainDeadline) await new Promise((resolve) => setTimeout(resolve, 10));
      // Keep-alive connections that went idle after close began would otherwise hold it open.
      app.server.closeIdleConnections();
      await closingApp;
      await runner.stop();
      await warmup;
      await pool.close();
      await db.close();
    })(),
  };
}
