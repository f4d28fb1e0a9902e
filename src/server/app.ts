import { randomUUID } from 'node:crypto';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { limiterFor } from '../accounts/index.js';
import { isMedstructError, MedstructError } from '../errors.js';
import type { JobRunner } from '../jobs/runner.js';
import type { Database } from '../store/index.js';
import { DEFAULT_CONFIG, type ServiceConfig } from './config.js';
import type { ServerContext } from './context.js';
import { Metrics } from './metrics.js';
import type { WorkerPool } from './pool.js';
import { registerAdminRoutes } from './routes/admin.js';
import { registerAliyunRoutes } from './routes/aliyun.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerNativeRoutes } from './routes/native.js';
import { registerNocodeRoutes } from './routes/nocode.js';
import { TENCENT_ASYNC_ACTIONS } from './routes/tencent.js';
import { registerWebRoutes } from './routes/web.js';
import { aliyunError, SurfaceError, tencentError, type Surface } from './surfaces.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    surface?: Surface;
    /** The route's work runs in the worker pool: refused before its body is read when the queue is full. */
    pooled?: boolean;
  }
  interface FastifyRequest {
    startedAt?: number;
  }
}

export interface AppOptions {
  db: Database;
  pool: WorkerPool;
  runner: JobRunner;
  config?: Partial<ServiceConfig>;
  /** pino options, or false for no logs. Request text and images are never logged. */
  logger?: boolean | { level?: string; stream?: NodeJS.WritableStream };
}

/** Which surface answers a request: the route's, with the shared `POST /` split by X-TC-Action. */
export function surfaceOf(request: FastifyRequest): Surface {
  const surface = request.routeOptions.config?.surface;
  if (request.url === '/' || request.url.startsWith('/?')) return request.headers['x-tc-action'] !== undefined ? 'tencent' : 'aliyun';
  if (surface) return surface;
  if (request.url.startsWith('/v2/nc.')) return 'nocode';
  return 'native';
}

/** A framework error (bad JSON, oversize body, schema violation) as medstruct's error. */
export function asMedstructError(error: unknown): MedstructError | SurfaceError {
  if (isMedstructError(error) || error instanceof SurfaceError) return error;
  const e = error as FastifyError & { validation?: unknown };
  if (e.validation) return new MedstructError('INVALID_ARGUMENT', e.message);
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new MedstructError('INVALID_JSON', 'The request body is not valid JSON');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new MedstructError('INPUT_TOO_LARGE', 'The request body is larger than the configured limit');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new MedstructError('UNSUPPORTED_MEDIA', 'Unsupported Content-Type');
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new MedstructError('UNSUPPORTED_MEDIA', 'Expected a multipart/form-data upload');
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_FILES_LIMIT':
    case 'FST_PARTS_LIMIT':
      return new MedstructError('INPUT_TOO_LARGE', 'The upload is larger than the configured limit');
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) return new MedstructError('INVALID_ARGUMENT', e.message);
  return new MedstructError('INTERNAL');
}

/** Sends an error the way the request's surface expects it. */
export function sendError(request: FastifyRequest, reply: FastifyReply, error: MedstructError | SurfaceError): FastifyReply {
  const requestId = String(request.id);
  const surface = surfaceOf(request);
  if (surface === 'tencent') {
    return reply.code(200).send({ Response: { Error: tencentError(error), RequestId: requestId } });
  }
  if (surface === 'aliyun') {
    const { status, code, message } = aliyunError(error);
    return reply.code(status).send({ RequestId: requestId, Code: code, Message: message });
  }
  const body = error instanceof SurfaceError
    ? { error: { code: error.code, message: error.message }, requestId }
    : { error: error.toJSON(), requestId };
  return reply.code(error.status).send(body);
}

const OVERLOADED = new MedstructError('OVERLOADED');

const safeRequestLog = (request: { id?: unknown; method?: string; url?: string }) => ({
  id: request.id,
  method: request.method,
  // The path only: GetNerChMedical puts the patient's text in the query string.
  path: request.url?.split('?')[0],
});

export async function buildApp(options: AppOptions): Promise<{ app: FastifyInstance; ctx: ServerContext }> {
  const config: ServiceConfig = { ...DEFAULT_CONFIG, ...options.config };
  const logger: FastifyServerOptions['logger'] = options.logger === undefined || options.logger === false ? false : {
    level: options.logger === true ? 'info' : options.logger.level ?? 'info',
    ...(options.logger !== true && options.logger.stream ? { stream: options.logger.stream } : {}),
    serializers: { req: safeRequestLog, res: (reply: { statusCode?: number }) => ({ statusCode: reply.statusCode }) },
    redact: ['req.headers.authorization'],
  };
  const fastifyOptions: FastifyServerOptions = {
    logger,
    bodyLimit: config.bodyLimit,
    genReqId: () => randomUUID(),
    connectionTimeout: 0,
    requestTimeout: config.requestTimeoutMs + 10_000,
    forceCloseConnections: 'idle',
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
  };
  const app = Fastify(fastifyOptions);
  const ctx: ServerContext = {
    db: options.db, pool: options.pool, runner: options.runner, metrics: new Metrics(), config, limiter: limiterFor(options.db),
    keyCache: new Map(), inFlightIdempotency: new Set(), state: { ready: false, shuttingDown: false, inFlight: 0 },
  };

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  // Admission is decided here, before the body is read: a refusal under overload costs no parsing, no
  // key lookup and no store write, and reuses one error object (building an Error captures a stack).
  app.addHook('onRequest', (request, reply, done) => {
    request.startedAt = performance.now();
    ctx.state.inFlight++;
    const admitted = request.routeOptions.config?.pooled === true && !TENCENT_ASYNC_ACTIONS.has(String(request.headers['x-tc-action']));
    if (admitted && !ctx.pool.admit()) {
      reply.raw.once('close', () => { ctx.state.inFlight--; });
      sendError(request, reply, OVERLOADED);
      return;
    }
    // 'close' fires once per response, sent or aborted by the client (onResponse misses aborted ones).
    reply.raw.once('close', admitted ? () => { ctx.state.inFlight--; ctx.pool.leave(); } : () => { ctx.state.inFlight--; });
    done();
  });
  app.addHook('onResponse', async (request, reply) => {
    const surface = surfaceOf(request);
    if (surface === 'health') return;
    const action = request.action ?? (request.routeOptions.url ?? 'unknown');
    ctx.metrics.observe(surface, action, reply.statusCode, (performance.now() - (request.startedAt ?? performance.now())) / 1000);
  });
  app.setErrorHandler((error, request, reply) => {
    const mapped = asMedstructError(error);
    if (!(mapped instanceof SurfaceError) && mapped.code === 'INTERNAL') {
      request.log.error({ err: { type: (error as Error).name, message: (error as Error).message, stack: (error as Error).stack } }, 'internal error');
    }
    return sendError(request, reply, mapped);
  });
  app.setNotFoundHandler((request, reply) => sendError(request, reply, new MedstructError('NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}`)));

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'medstruct', description: 'Structuring of Chinese medical documents: native API v1 and cloud-compatible endpoints.', version: '1' },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
      security: [{ apiKey: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(multipart, { limits: { fileSize: config.bodyLimit, files: 1, fields: 20, fieldSize: 64 * 1024 } });

  registerHealthRoutes(app, ctx);
  registerNativeRoutes(app, ctx);
  registerAliyunRoutes(app, ctx);
  registerNocodeRoutes(app, ctx);
  registerAdminRoutes(app, ctx);
  registerWebRoutes(app);
  app.get('/openapi.json', { schema: { hide: true }, config: { surface: 'health' } }, async () => app.swagger());
  return { app, ctx };
}
