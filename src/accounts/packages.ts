import { randomBytes } from 'node:crypto';
import { MedstructError } from '../errors.js';
import type { Database } from '../store/index.js';
import { resolveKey } from './keys.js';

export const PACKAGE_MONTHS = [1, 3, 6, 12] as const;

export interface CallPackage {
  id: string;
  keyId: string;
  /** The action the calls are for, or `*` for any action. */
  action: string;
  callsTotal: number;
  callsUsed: number;
  months: number;
  purchasedAt: number;
  expiresAt: number;
}

interface PackageRow {
  id: string; key_id: string; action: string; calls_total: number; calls_used: number; months: number; purchased_at: number; expires_at: number;
}

/**
 * The instant a package bought at `purchasedAt` expires: the same day and time of day `months` later
 * (to the second, UTC); a day that month lacks (31 → February) becomes the month's last day.
 */
export function expiryOf(purchasedAt: number, months: number): number {
  const start = new Date(purchasedAt);
  const target = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + months, 1,
    start.getUTCHours(), start.getUTCMinutes(), start.getUTCSeconds(), start.getUTCMilliseconds()));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(start.getUTCDate(), lastDay));
  return target.getTime();
}

function fromRow(row: PackageRow): CallPackage {
  return {
    id: row.id, keyId: row.key_id, action: row.action, callsTotal: row.calls_total, callsUsed: row.calls_used,
    months: row.months, purchasedAt: row.purchased_at, expiresAt: row.expires_at,
  };
}

export interface AddPackageOptions {
  key: string;
  calls: number;
  months: number;
  action?: string;
  /** Purchase time (ms); default now. */
  purchasedAt?: number;
}

export async function addPackage(db: Database, options: AddPackageOptions): Promise<CallPackage> {
  if (!Number.isInteger(options.calls) || options.calls <= 0) throw new MedstructError('INVALID_ARGUMENT', 'A package needs a positive whole number of calls');
  if (!(PACKAGE_MONTHS as readonly number[]).includes(options.months)) {
    throw new MedstructError('INVALID_ARGUMENT', `A package lasts ${PACKAGE_MONTHS.join(', ')} months`);
  }
  const key = await resolveKey(db, options.key);
  const purchasedAt = options.purchasedAt ?? Date.now();
  const pkg: CallPackage = {
    id: `pkg_${randomBytes(8).toString('hex')}`, keyId: key.id, action: options.action ?? '*', callsTotal: options.calls,
    callsUsed: 0, months: options.months, purchasedAt, expiresAt: expiryOf(purchasedAt, options.months),
  };
  await db.run(
    'INSERT INTO packages (id, key_id, action, calls_total, calls_used, months, purchased_at, expires_at) VALUES (?, ?, ?, ?, 0, ?, ?, ?)',
    [pkg.id, pkg.keyId, pkg.action, pkg.callsTotal, pkg.months, pkg.purchasedAt, pkg.expiresAt],
  );
  return pkg;
}

export async function listPackages(db: Database, keyRef?: string): Promise<CallPackage[]> {
  if (keyRef === undefined) return (await db.all<PackageRow>('SELECT * FROM packages ORDER BY key_id, expires_at, id')).map(fromRow);
  const key = await resolveKey(db, keyRef);
  return (await db.all<PackageRow>('SELECT * FROM packages WHERE key_id = ? ORDER BY expires_at, id', [key.id])).map(fromRow);
}

export function describePackage(pkg: CallPackage, now = Date.now()): Record<string, unknown> {
  return {
    id: pkg.id, keyId: pkg.keyId, action: pkg.action, callsTotal: pkg.callsTotal, callsUsed: pkg.callsUsed,
    callsLeft: pkg.callsTotal - pkg.callsUsed, months: pkg.months, purchasedAt: new Date(pkg.purchasedAt).toISOString(),
    expiresAt: new Date(pkg.expiresAt).toISOString(), expired: pkg.expiresAt <= now,
  };
}
