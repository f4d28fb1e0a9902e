import { createHash, randomBytes } from 'node:crypto';
import { MedstructError } from '../errors.js';
import { one, type Database, type SqlClient } from '../store/index.js';

export type KeyStatus = 'open' | 'closed';

export interface ApiKey {
  id: string;
  name: string;
  /** The key's first characters, to recognize it in lists; the key itself is never stored. */
  prefix: string;
  /** Actions the key may call (`*` = all). */
  scopes: string[];
  status: KeyStatus;
  /** Pay-as-you-go: calls beyond the prepaid packages are allowed (and metered). */
  payg: boolean;
  /** Queries per second by action (`*` = every action without its own entry). */
  rateLimits: Record<string, number>;
  createdAt: number;
  revokedAt: number | null;
}

interface KeyRow {
  id: string; name: string; key_hash: string; key_prefix: string; scopes: string; status: string; payg: number;
  rate_limits: string; created_at: number; revoked_at: number | null;
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

function fromRow(row: KeyRow): ApiKey {
  return {
    id: row.id, name: row.name, prefix: row.key_prefix, scopes: JSON.parse(row.scopes) as string[],
    status: row.status === 'closed' ? 'closed' : 'open', payg: row.payg === 1,
    rateLimits: JSON.parse(row.rate_limits) as Record<string, number>, createdAt: row.created_at, revokedAt: row.revoked_at,
  };
}

export interface CreateKeyOptions {
  name: string;
  scopes?: string[];
  payg?: boolean;
  rateLimits?: Record<string, number>;
}

/** Creates a key; the returned `key` is shown once and only its SHA-256 is stored. */
export async function createKey(db: Database, options: CreateKeyOptions): Promise<ApiKey & { key: string }> {
  const name = options.name.trim();
  if (name === '') throw new MedstructError('INVALID_ARGUMENT', 'A key needs a name');
  const scopes = options.scopes && options.scopes.length > 0 ? options.scopes : ['*'];
  for (const [action, qps] of Object.entries(options.rateLimits ?? {})) {
    if (!(qps > 0)) throw new MedstructError('INVALID_ARGUMENT', `Rate limit for ${action} must be a positive number`);
  }
  const key = `msk_${randomBytes(32).toString('base64url')}`;
  const record: ApiKey = {
    id: `key_${randomBytes(8).toString('hex')}`, name, prefix: key.slice(0, 12), scopes, status: 'open',
    payg: options.payg ?? true, rateLimits: options.rateLimits ?? {}, createdAt: Date.now(), revokedAt: null,
  };
  await db.run(
    'INSERT INTO api_keys (id, name, key_hash, key_prefix, scopes, status, payg, rate_limits, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)',
    [record.id, name, hashKey(key), record.prefix, JSON.stringify(scopes), 'open', record.payg ? 1 : 0, JSON.stringify(record.rateLimits), record.createdAt],
  );
  return { ...record, key };
}

export async function listKeys(db: Database): Promise<ApiKey[]> {
  return (await db.all<KeyRow>('SELECT * FROM api_keys ORDER BY created_at, id')).map(fromRow);
}

export async function getKey(client: SqlClient, id: string): Promise<ApiKey | undefined> {
  const row = await one<KeyRow>(client, 'SELECT * FROM api_keys WHERE id = ?', [id]);
  return row && fromRow(row);
}

export async function findKeyBySecret(client: SqlClient, key: string): Promise<ApiKey | undefined> {
  const row = await one<KeyRow>(client, 'SELECT * FROM api_keys WHERE key_hash = ?', [hashKey(key)]);
  return row && fromRow(row);
}

/** Finds a key by id, name or the key itself, for the admin commands. */
export async function resolveKey(db: Database, ref: string): Promise<ApiKey> {
  const byId = await getKey(db, ref);
  if (byId) return byId;
  const byName = (await db.all<KeyRow>('SELECT * FROM api_keys WHERE name = ? AND revoked_at IS NULL', [ref])).map(fromRow);
  if (byName.length === 1) return byName[0]!;
  if (byName.length > 1) throw new MedstructError('INVALID_ARGUMENT', `Several keys are named ${ref}; use the key id`);
  const bySecret = await findKeyBySecret(db, ref);
  if (bySecret) return bySecret;
  throw new MedstructError('NOT_FOUND', `No API key ${ref}`);
}

async function update(db: Database, ref: string, sql: string, params: unknown[]): Promise<ApiKey> {
  const key = await resolveKey(db, ref);
  await db.run(sql, [...params, key.id]);
  return (await getKey(db, key.id))!;
}

export function revokeKey(db: Database, ref: string): Promise<ApiKey> {
  return update(db, ref, 'UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?', [Date.now()]);
}

/** Opens or closes the service for a key (a closed key is answered ServiceNotOpen / UserStatusInvalid). */
export function setKeyStatus(db: Database, ref: string, status: KeyStatus): Promise<ApiKey> {
  return update(db, ref, 'UPDATE api_keys SET status = ? WHERE id = ?', [status]);
}

export function setPayg(db: Database, ref: string, payg: boolean): Promise<ApiKey> {
  return update(db, ref, 'UPDATE api_keys SET payg = ? WHERE id = ?', [payg ? 1 : 0]);
}

export function setRateLimits(db: Database, ref: string, rateLimits: Record<string, number>): Promise<ApiKey> {
  return update(db, ref, 'UPDATE api_keys SET rate_limits = ? WHERE id = ?', [JSON.stringify(rateLimits)]);
}

export function keyAllows(key: ApiKey, action: string): boolean {
  return key.scopes.includes('*') || key.scopes.includes(action);
}

/** Public view of a key (no hash). */
export function describeKey(key: ApiKey): Record<string, unknown> {
  return {
    id: key.id, name: key.name, prefix: key.prefix, scopes: key.scopes, status: key.revokedAt ? 'revoked' : key.status,
    payg: key.payg, rateLimits: key.rateLimits, createdAt: new Date(key.createdAt).toISOString(),
    revokedAt: key.revokedAt ? new Date(key.revokedAt).toISOString() : null,
  };
}
