import type { Database } from '../store/index.js';

export interface UsageLine {
  day: string;
  keyId: string;
  keyName: string;
  action: string;
  calls: number;
  /** Billable units: calls, or pages for PDF actions. */
  units: number;
  packageUnits: number;
  paygUnits: number;
}

export interface Statement {
  day: string | null;
  lines: UsageLine[];
  /** Calls per key id and action. */
  calls: Record<string, Record<string, number>>;
  totals: { calls: number; units: number; packageUnits: number; paygUnits: number };
}

/** The usage statement of one UTC day (YYYY-MM-DD), or of all days when `day` is null. */
export async function usageStatement(db: Database, day: string | null, keyId?: string): Promise<Statement> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (day !== null) { where.push('u.day = ?'); params.push(day); }
  if (keyId !== undefined) { where.push('u.key_id = ?'); params.push(keyId); }
  const rows = await db.all<{ day: string; key_id: string; name: string | null; action: string; calls: number; units: number; package_units: number; payg_units: number }>(
    `SELECT u.day, u.key_id, k.name, u.action, u.calls, u.units, u.package_units, u.payg_units
     FROM usage u LEFT JOIN api_keys k ON k.id = u.key_id ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY u.day, u.key_id, u.action`,
    params,
  );
  const statement: Statement = { day, lines: [], calls: {}, totals: { calls: 0, units: 0, packageUnits: 0, paygUnits: 0 } };
  for (const r of rows) {
    statement.lines.push({ day: r.day, keyId: r.key_id, keyName: r.name ?? '', action: r.action, calls: r.calls, units: r.units, packageUnits: r.package_units, paygUnits: r.payg_units });
    const perKey = (statement.calls[r.key_id] ??= {});
    perKey[r.action] = (perKey[r.action] ?? 0) + r.calls;
    statement.totals.calls += r.calls;
    statement.totals.units += r.units;
    statement.totals.packageUnits += r.package_units;
    statement.totals.paygUnits += r.payg_units;
  }
  return statement;
}
