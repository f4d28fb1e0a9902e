import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { commitIn, findKeyBySecret, keyAllows, qpsFor, release, reserve, type ApiKey, type Limiter } from '../accounts/index.js';
import { MedstructError } from '../errors.js';
import type { JobRunner } from '../jobs/runner.js';
import { one, type Database } from '../store/index.js';
import type { ServiceConfig } from './config.js';
import type { Metrics } from './metrics.js';
import type { WorkerPool } from './pool.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The action the request was metered as, for /metrics. */
    action?: string;
  }
}

export interface ServerContext {
  db: Database;
  pool: WorkerPool;
  runner: JobRunner;
  metrics: Metrics;
  config: ServiceConfig;
  /** QPS limits: in memory on SQLite, shared through the store on PostgreSQL. */
  limiter: Limiter;
  /** Recently authenticated keys by hash of the secret: spares a read per call; the reservation re-checks the key. */
  keyCache: Map<string, { key: ApiKey | undefined; at: number }>;
  /** Idempotency keys of requests in progress on this instance. */
  inFlightIdempotency: Set<string>;
  state: { ready: boolean; shuttingDown: boolean; inFlight: number };
}

const KEY_CACHE_MS = 2_000;

export function bearerKey(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}

/**
 * The API key of the request, allowed to call `action` (scope, open service, rate limit); throws the
 * refusal otherwise. `action` null only checks the key (reading one's own job results).
 */
export async function authenticate(ctx: ServerContext, request: FastifyRequest, action: string | null): Promise<ApiKey> {
  const secret = bearerKey(request);
  if (!secret) throw new MedstructError('UNAUTHENTICATED', 'Send the API key as Authorization: Bearer KEY');
  const now = Date.now();
  const hash = createHash('sha256').update(secret).digest('hex');
  let cached = ctx.keyCache.get(hash);
  if (!cached || now - cached.at > KEY_CACHE_MS) {
    cached = { key: await findKeyBySecret(ctx.db, secret), at: now };
    if (ctx.keyCache.size > 10_000) ctx.keyCache.clear();
    ctx.keyCache.set(hash, cached);
  }
  const key = cached.key;
  if (!key || key.revokedAt !== null) throw new MedstructError('UNAUTHENTICATED');
  if (action === null) return key;
  if (!keyAllows(key, action)) throw new MedstructError('FORBIDDEN', `This API key may not call ${action}`);
  if (key.status !== 'open') throw new MedstructError('SERVICE_NOT_OPEN');
  if (!(await ctx.limiter.take(key.id, action, qpsFor(key.rateLimits, ctx.config.rateLimits, action)))) {
    throw new MedstructError('RATE_LIMITED', `Too many ${action} calls per second for this API key`);
  }
  return key;
}

export interface Idempotency {
  key: string;
  fingerprint: string;
}

/** A stored reply for the key's Idempotency-Key, or a refusal when the key was used for another request. */
export async function storedReply(ctx: ServerContext, keyId: string, idem: Idempotency): Promise<{ status: number; body: unknown } | null> {
  const row = await one<{ fingerprint: string; status_code: number; body: string }>(ctx.db,
    'SELECT fingerprint, status_code, body FROM idempotency WHERE key_id = ? AND idem_key = ?', [keyId, idem.key]);
  if (!row) return null;
  if (row.fingerprint !== idem.fingerprint) {
    throw new MedstructError('IDEMPOTENCY_MISMATCH');
  }
  return { status: row.status_code, body: JSON.parse(row.body) };
}

export function fingerprint(method: string, url: string, body: unknown): string {
  return createHash('sha256').update(`${method} ${url}\n`).update(typeof body === 'string' ? body : JSON.stringify(body ?? null)).digest('hex');
}

/**
 * A billable call: reserve the units, do the work, then charge in one transaction with the
 * idempotent reply (if any). A failure gives the reservation back, so failed calls cost nothing.
 */
export async function billable<T>(
  ctx: ServerContext,
  request: FastifyRequest,
  key: ApiKey,
  action: string,
  work: () => Promise<{ value: T; units?: number }>,
  idem?: Idempotency,
): Promise<T> {
  request.action = action;
  const requestId = String(request.id);
  await reserve(ctx.db, { requestId, keyId: key.id, action });
  let outcome: { value: T; units?: number };
  try {
    outcome = await work();
  } catch (error) {
    await release(ctx.db, requestId);
    throw error;
  }
  await ctx.db.transaction(async (tx) => {
    await commitIn(tx, ctx.db.dialect, requestId, outcome.units);
    if (idem) {
      // Another instance may have finished the same key a moment earlier: its reply stays the stored one.
      await tx.run('INSERT INTO idempotency (key_id, idem_key, fingerprint, status_code, body, created_at) VALUES (?, ?, ?, 200, ?, ?) ON CONFLICT (key_id, idem_key) DO NOTHING',
        [key.id, idem.key, idem.fingerprint, JSON.stringify(outcome.value), Date.now()]);
    }
  });
  return outcome.value;
}
