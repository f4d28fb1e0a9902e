import { MedstructError } from '../errors.js';
import { forUpdate, one, type Database, type Dialect, type SqlClient } from '../store/index.js';
import { getKey, type ApiKey } from './keys.js';

/**
 * Metering in two steps so quotas hold across instances and a crash neither loses nor double-counts:
 * `reserve` takes the call's units from the packages (expiring first, first) or pay-as-you-go before
 * the work starts and records the request as `reserved`; `commit` marks it `charged` and adds it to the
 * day's usage in the same transaction as the request's own bookkeeping (job result, idempotent reply);
 * `release` gives reserved units back when the call fails. A reservation left by a crashed process is
 * released by `releaseStale`, so failed calls are never charged.
 */

type Allocation = Array<{ packageId: string; units: number }>;

interface RequestRow {
  id: string; key_id: string; action: string; kind: string; state: string; units: number; payg_units: number; allocation: string; created_at: number;
}

export interface Reservation {
  requestId: string;
  key: ApiKey;
  action: string;
  units: number;
}

/** UTC calendar day of a time, the unit of the daily statements. */
export function dayOf(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

/** Takes `units` from the key's live packages for `action`, earliest expiry first; returns what it took. */
async function takeFromPackages(tx: SqlClient, dialect: Dialect, keyId: string, action: string, units: number, now: number): Promise<Allocation> {
  const packages = await tx.all<{ id: string; calls_total: number; calls_used: number }>(
    `SELECT id, calls_total, calls_used FROM packages WHERE key_id = ? AND (action = '*' OR action = ?) AND expires_at > ? AND calls_used < calls_total ORDER BY expires_at, id${forUpdate({ dialect })}`,
    [keyId, action, now],
  );
  const allocation: Allocation = [];
  let left = units;
  for (const pkg of packages) {
    if (left === 0) break;
    const take = Math.min(left, pkg.calls_total - pkg.calls_used);
    await tx.run('UPDATE packages SET calls_used = calls_used + ? WHERE id = ?', [take, pkg.id]);
    allocation.push({ packageId: pkg.id, units: take });
    left -= take;
  }
  return allocation;
}

const allocated = (allocation: Allocation): number => allocation.reduce((sum, a) => sum + a.units, 0);

export interface ReserveRequest {
  requestId: string;
  keyId: string;
  action: string;
  units?: number;
  kind?: 'sync' | 'job';
}

/** Checks the key may call `action` and reserves `units` inside the caller's transaction; throws the refusal otherwise. */
export async function reserveIn(tx: SqlClient, dialect: Dialect, request: ReserveRequest): Promise<Reservation> {
  const units = request.units ?? 1;
  const key = await getKey(tx, request.keyId);
  if (!key || key.revokedAt !== null) throw new MedstructError('UNAUTHENTICATED');
  if (key.status !== 'open') throw new MedstructError('SERVICE_NOT_OPEN');
  const now = Date.now();
  const allocation = await takeFromPackages(tx, dialect, key.id, request.action, units, now);
  const payg = units - allocated(allocation);
  if (payg > 0 && !key.payg) throw new MedstructError('QUOTA_EXHAUSTED');
  await tx.run(
    "INSERT INTO requests (id, key_id, action, kind, state, units, payg_units, allocation, created_at, finished_at) VALUES (?, ?, ?, ?, 'reserved', ?, ?, ?, ?, NULL)",
    [request.requestId, key.id, request.action, request.kind ?? 'sync', units, payg, JSON.stringify(allocation), now],
  );
  return { requestId: request.requestId, key, action: request.action, units };
}

export function reserve(db: Database, request: ReserveRequest): Promise<Reservation> {
  return db.transaction((tx) => reserveIn(tx, db.dialect, request));
}

/**
 * Charges a reserved request inside the caller's transaction. `units` may differ from the reservation
 * (a PDF's pages are known only once it is read): extra units come from packages, then pay-as-you-go
 * (the work is done by then), surplus ones go back. Charging twice is a no-op.
 */
export async function commitIn(tx: SqlClient, dialect: Dialect, requestId: string, units?: number): Promise<boolean> {
  const row = await one<RequestRow>(tx, `SELECT * FROM requests WHERE id = ?${forUpdate({ dialect })}`, [requestId]);
  if (!row || row.state !== 'reserved') return false;
  let allocation = JSON.parse(row.allocation) as Allocation;
  let payg = row.payg_units;
  const finalUnits = units ?? row.units;
  const now = Date.now();
  if (finalUnits > row.units) {
    const extra = await takeFromPackages(tx, dialect, row.key_id, row.action, finalUnits - row.units, now);
    allocation = [...allocation, ...extra];
    payg += finalUnits - row.units - allocated(extra);
  } else if (finalUnits < row.units) {
    let surplus = row.units - finalUnits;
    const fromPayg = Math.min(surplus, payg);
    payg -= fromPayg;
    surplus -= fromPayg;
    const kept: Allocation = [];
    for (const a of [...allocation].reverse()) {
      const back = Math.min(surplus, a.units);
      if (back > 0) await tx.run('UPDATE packages SET calls_used = calls_used - ? WHERE id = ?', [back, a.packageId]);
      surplus -= back;
      if (a.units - back > 0) kept.unshift({ packageId: a.packageId, units: a.units - back });
    }
    allocation = kept;
  }
  await tx.run("UPDATE requests SET state = 'charged', units = ?, payg_units = ?, allocation = ?, finished_at = ? WHERE id = ?",
    [finalUnits, payg, JSON.stringify(allocation), now, requestId]);
  await tx.run(
    `INSERT INTO usage (key_id, action, day, calls, units, package_units, payg_units) VALUES (?, ?, ?, 1, ?, ?, ?)
     ON CONFLICT (key_id, action, day) DO UPDATE SET calls = usage.calls + 1, units = usage.units + excluded.units,
       package_units = usage.package_units + excluded.package_units, payg_units = usage.payg_units + excluded.payg_units`,
    [row.key_id, row.action, dayOf(now), finalUnits, finalUnits - payg, payg],
  );
  return true;
}

export function commit(db: Database, requestId: string, units?: number): Promise<boolean> {
  return db.transaction((tx) => commitIn(tx, db.dialect, requestId, units));
}

/** Gives a failed request's reserved units back; a request already charged or released is left alone. */
export async function releaseIn(tx: SqlClient, dialect: Dialect, requestId: string): Promise<boolean> {
  const row = await one<RequestRow>(tx, `SELECT * FROM requests WHERE id = ?${forUpdate({ dialect })}`, [requestId]);
  if (!row || row.state !== 'reserved') return false;
  for (const a of JSON.parse(row.allocation) as Allocation) {
    await tx.run('UPDATE packages SET calls_used = calls_used - ? WHERE id = ?', [a.units, a.packageId]);
  }
  await tx.run("UPDATE requests SET state = 'released', finished_at = ? WHERE id = ?", [Date.now(), requestId]);
  return true;
}

export function release(db: Database, requestId: string): Promise<boolean> {
  return db.transaction((tx) => releaseIn(tx, db.dialect, requestId));
}

/** Releases synchronous requests reserved longer ago than `olderThanMs` (their process died mid-call). */
export async function releaseStale(db: Database, olderThanMs: number): Promise<number> {
  const stale = await db.all<{ id: string }>("SELECT id FROM requests WHERE state = 'reserved' AND kind = 'sync' AND created_at < ?", [Date.now() - olderThanMs]);
  let released = 0;
  for (const { id } of stale) if (await release(db, id)) released++;
  return released;
}
