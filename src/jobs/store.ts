import { commitIn, releaseIn, reserveIn } from '../accounts/metering.js';
import { forUpdate, one, type Database } from '../store/index.js';
import type { WorkerTask } from '../server/tasks.js';

export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

/** What a job runs: its worker tasks in order; `batch` jobs answer a list, others the single result. */
export interface JobInput {
  tasks: WorkerTask[];
  batch: boolean;
}

export interface Job {
  id: string;
  keyId: string;
  action: string;
  status: JobStatus;
  input: JobInput;
  result: unknown;
  error: { code: string; message: string } | null;
  attempts: number;
  createdAt: number;
  updatedAt: number;
  expiresAt: number;
}

interface JobRow {
  id: string; key_id: string; action: string; status: string; input: string; result: string | null; error: string | null;
  attempts: number; lease_until: number; created_at: number; updated_at: number; expires_at: number;
}

function fromRow(row: JobRow): Job {
  return {
    id: row.id, keyId: row.key_id, action: row.action, status: row.status as JobStatus, input: JSON.parse(row.input) as JobInput,
    result: row.result === null ? null : JSON.parse(row.result), error: row.error === null ? null : JSON.parse(row.error) as Job['error'],
    attempts: row.attempts, createdAt: row.created_at, updatedAt: row.updated_at, expiresAt: row.expires_at,
  };
}

export interface NewJob {
  id: string;
  keyId: string;
  action: string;
  input: JobInput;
  /** How long the job and its result are kept after submission. */
  ttlMs: number;
  /** Stored in the same transaction, so a retried submission finds the job. */
  idempotency?: { key: string; fingerprint: string; body: (job: Job) => unknown };
}

/**
 * Persists a job and reserves its calls in one transaction: once the client has the id, the job
 * survives any crash, and its quota cannot be spent twice.
 */
export async function createJob(db: Database, job: NewJob): Promise<Job> {
  const now = Date.now();
  const record: Job = {
    id: job.id, keyId: job.keyId, action: job.action, status: 'queued', input: job.input, result: null, error: null,
    attempts: 0, createdAt: now, updatedAt: now, expiresAt: now + job.ttlMs,
  };
  await db.transaction(async (tx) => {
    await reserveIn(tx, db.dialect, { requestId: job.id, keyId: job.keyId, action: job.action, units: job.input.tasks.length, kind: 'job' });
    await tx.run(
      "INSERT INTO jobs (id, key_id, action, status, input, result, error, attempts, lease_until, created_at, updated_at, expires_at) VALUES (?, ?, ?, 'queued', ?, NULL, NULL, 0, 0, ?, ?, ?)",
      [job.id, job.keyId, job.action, JSON.stringify(job.input), now, now, record.expiresAt],
    );
    if (job.idempotency) {
      await tx.run('INSERT INTO idempotency (key_id, idem_key, fingerprint, status_code, body, created_at) VALUES (?, ?, ?, 202, ?, ?)',
        [job.keyId, job.idempotency.key, job.idempotency.fingerprint, JSON.stringify(job.idempotency.body(record)), now]);
    }
  });
  return record;
}

export async function getJob(db: Database, id: string): Promise<Job | undefined> {
  const row = await one<JobRow>(db, 'SELECT * FROM jobs WHERE id = ?', [id]);
  return row && fromRow(row);
}

/** Takes the oldest runnable job (queued, or running under a lease that ran out) and leases it. */
export async function claimJob(db: Database, leaseMs: number): Promise<Job | undefined> {
  return db.transaction(async (tx) => {
    const now = Date.now();
    const row = await one<JobRow>(tx,
      `SELECT * FROM jobs WHERE (status = 'queued' OR (status = 'running' AND lease_until < ?)) AND expires_at > ? ORDER BY created_at, id LIMIT 1${forUpdate(db, true)}`,
      [now, now]);
    if (!row) return undefined;
    await tx.run("UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_until = ?, updated_at = ? WHERE id = ?", [now + leaseMs, now, row.id]);
    return { ...fromRow(row), status: 'running' as const, attempts: row.attempts + 1 };
  });
}

export async function renewLease(db: Database, id: string, leaseMs: number): Promise<void> {
  await db.run("UPDATE jobs SET lease_until = ? WHERE id = ? AND status = 'running'", [Date.now() + leaseMs, id]);
}

/** Stores the result and charges the job's units in one transaction; a job finished twice is charged once. */
export async function finishJob(db: Database, id: string, result: unknown, units: number): Promise<void> {
  await db.transaction(async (tx) => {
    const row = await one<{ status: string }>(tx, `SELECT status FROM jobs WHERE id = ?${forUpdate(db)}`, [id]);
    if (!row || row.status === 'done' || row.status === 'failed') return;
    if (units > 0) await commitIn(tx, db.dialect, id, units);
    else await releaseIn(tx, db.dialect, id);
    await tx.run("UPDATE jobs SET status = 'done', result = ?, updated_at = ? WHERE id = ?", [JSON.stringify(result), Date.now(), id]);
  });
}

/** Marks the job failed and gives its reserved calls back (failed work is not charged). */
export async function failJob(db: Database, id: string, error: { code: string; message: string }): Promise<void> {
  await db.transaction(async (tx) => {
    const row = await one<{ status: string }>(tx, `SELECT status FROM jobs WHERE id = ?${forUpdate(db)}`, [id]);
    if (!row || row.status === 'done' || row.status === 'failed') return;
    await releaseIn(tx, db.dialect, id);
    await tx.run("UPDATE jobs SET status = 'failed', error = ?, updated_at = ? WHERE id = ?", [JSON.stringify(error), Date.now(), id]);
  });
}

/** Puts a running job back in the queue (the server is busy or shutting down); it keeps its reservation. */
export async function requeueJob(db: Database, id: string): Promise<void> {
  await db.run("UPDATE jobs SET status = 'queued', lease_until = 0, updated_at = ? WHERE id = ? AND status = 'running'", [Date.now(), id]);
}

/**
 * Requeues every running job at once. Only for the embedded store, where one process owns the data:
 * whatever was running when it last stopped died with it.
 */
export async function requeueOrphans(db: Database): Promise<number> {
  return (await db.run("UPDATE jobs SET status = 'queued', lease_until = 0 WHERE status = 'running'")).changes;
}

/** Deletes jobs kept past their time; a job that never ran gives its reserved calls back. */
export async function purgeExpiredJobs(db: Database, now = Date.now()): Promise<number> {
  const expired = await db.all<{ id: string }>('SELECT id FROM jobs WHERE expires_at <= ?', [now]);
  for (const { id } of expired) {
    await db.transaction(async (tx) => {
      await releaseIn(tx, db.dialect, id);
      await tx.run('DELETE FROM jobs WHERE id = ?', [id]);
    });
  }
  return expired.length;
}

export async function countJobs(db: Database): Promise<Record<JobStatus, number>> {
  const counts: Record<JobStatus, number> = { queued: 0, running: 0, done: 0, failed: 0 };
  for (const row of await db.all<{ status: JobStatus; n: number }>('SELECT status, COUNT(*) AS n FROM jobs GROUP BY status')) {
    counts[row.status] = Number(row.n);
  }
  return counts;
}
