import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  addPackage, createKey, describeKey, describePackage, listKeys, listPackages, resolveKey, revokeKey, setKeyStatus, setPayg, setRateLimits,
  usageStatement,
} from '../../accounts/index.js';
import { MedstructError } from '../../errors.js';
import { bearerKey, type ServerContext } from '../context.js';

function checkAdmin(ctx: ServerContext, request: FastifyRequest): void {
  const token = ctx.config.adminToken;
  if (token === null) throw new MedstructError('NOT_FOUND', 'The admin API is off: set MEDSTRUCT_ADMIN_TOKEN');
  const given = bearerKey(request);
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(token);
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw new MedstructError('UNAUTHENTICATED', 'Send the admin token as Authorization: Bearer TOKEN');
}

const keyParams = { type: 'object', required: ['key'], properties: { key: { type: 'string', description: 'Key id, name, or the key itself' } } };

/** The admin API: the same operations as `medstruct keys|packages|usage`, behind MEDSTRUCT_ADMIN_TOKEN. */
export function registerAdminRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const config = { surface: 'admin' as const };
  const tags = ['admin'];
  app.addHook('onRequest', async (request) => {
    if (request.url.startsWith('/admin/')) checkAdmin(ctx, request);
  });

  app.get('/admin/keys', { config, schema: { tags, summary: 'List API keys' } }, async () => ({ keys: (await listKeys(ctx.db)).map(describeKey) }));

  app.post('/admin/keys', {
    config,
    schema: {
      tags, summary: 'Create an API key (the key is shown only in this reply)',
      body: {
        type: 'object', required: ['name'], additionalProperties: false,
        properties: {
          name: { type: 'string', minLength: 1 }, scopes: { type: 'array', items: { type: 'string' } }, payg: { type: 'boolean' },
          rateLimits: { type: 'object', additionalProperties: { type: 'number', exclusiveMinimum: 0 } },
        },
      },
    },
  }, async (request, reply) => {
    const created = await createKey(ctx.db, request.body as { name: string; scopes?: string[]; payg?: boolean; rateLimits?: Record<string, number> });
    return reply.code(201).send({ ...describeKey(created), key: created.key });
  });

  app.post('/admin/keys/:key/:operation', {
    config,
    schema: {
      tags, summary: 'revoke, open, close, payg-on, payg-off, or set rate limits (body {rateLimits})',
      params: { type: 'object', required: ['key', 'operation'], properties: { key: { type: 'string' }, operation: { type: 'string', enum: ['revoke', 'open', 'close', 'payg-on', 'payg-off', 'rate-limits'] } } },
    },
  }, async (request) => {
    const { key, operation } = request.params as { key: string; operation: string };
    ctx.keyCache.clear();
    switch (operation) {
      case 'revoke': return describeKey(await revokeKey(ctx.db, key));
      case 'open': return describeKey(await setKeyStatus(ctx.db, key, 'open'));
      case 'close': return describeKey(await setKeyStatus(ctx.db, key, 'closed'));
      case 'payg-on': return describeKey(await setPayg(ctx.db, key, true));
      case 'payg-off': return describeKey(await setPayg(ctx.db, key, false));
      default: {
        const limits = (request.body as { rateLimits?: Record<string, number> } | undefined)?.rateLimits;
        if (!limits || typeof limits !== 'object') throw new MedstructError('INVALID_ARGUMENT', 'Give {"rateLimits": {"ACTION": QPS}}');
        return describeKey(await setRateLimits(ctx.db, key, limits));
      }
    }
  });

  app.get('/admin/keys/:key/packages', { config, schema: { tags, summary: 'A key\'s call packages', params: keyParams } }, async (request) => {
    return { packages: (await listPackages(ctx.db, (request.params as { key: string }).key)).map((p) => describePackage(p)) };
  });

  app.post('/admin/keys/:key/packages', {
    config,
    schema: {
      tags, summary: 'Add a prepaid call package', params: keyParams,
      body: {
        type: 'object', required: ['calls', 'months'], additionalProperties: false,
        properties: { calls: { type: 'integer', minimum: 1 }, months: { type: 'integer', enum: [1, 3, 6, 12] }, action: { type: 'string' } },
      },
    },
  }, async (request, reply) => {
    const body = request.body as { calls: number; months: number; action?: string };
    const pkg = await addPackage(ctx.db, { key: (request.params as { key: string }).key, ...body });
    return reply.code(201).send(describePackage(pkg));
  });

  app.get('/admin/usage', {
    config,
    schema: {
      tags, summary: 'Usage statement of a UTC day (default today), or all days with day=all',
      querystring: { type: 'object', properties: { day: { type: 'string', pattern: '^(\\d{4}-\\d{2}-\\d{2}|all)$' }, key: { type: 'string' } } },
    },
  }, async (request) => {
    const { day, key } = request.query as { day?: string; key?: string };
    const keyId = key === undefined ? undefined : (await resolveKey(ctx.db, key)).id;
    return usageStatement(ctx.db, day === 'all' ? null : day ?? new Date().toISOString().slice(0, 10), keyId);
  });
}
