import type { FastifyInstance } from 'fastify';
import { countJobs } from '../../jobs/store.js';
import type { ServerContext } from '../context.js';

export function registerHealthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const config = { surface: 'health' as const };
  app.get('/healthz', { config, schema: { tags: ['health'], summary: 'The process is up' } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { config, schema: { tags: ['health'], summary: 'Models are loaded and the server takes calls' } }, async (_request, reply) => {
    if (ctx.state.shuttingDown) return reply.code(503).send({ status: 'shutting down' });
    if (!ctx.state.ready) return reply.code(503).send({ status: 'loading' });
    return { status: 'ready' };
  });

  app.get('/metrics', { config, schema: { tags: ['health'], summary: 'Prometheus metrics' } }, async (_request, reply) => {
    const pool = ctx.pool.stats();
    const jobs = await countJobs(ctx.db).catch(() => ({}));
    return reply.type('text/plain; version=0.0.4').send(ctx.metrics.render({
      queueDepth: pool.queued, running: pool.running, threads: pool.threads, utilization: pool.utilization, jobs,
      inFlight: ctx.state.inFlight,
    }));
  });
}
