import type { Database } from '../store/index.js';

/** Decides whether a key may make one more call of an action now; `qps` undefined or 0 means unlimited. */
export interface Limiter {
  take(keyId: string, action: string, qps: number | undefined): boolean | Promise<boolean>;
}

/**
 * Per-key, per-action QPS limits as token buckets (burst = one second's worth), in this instance's
 * memory: exact for the embedded store, where one process serves.
 */
export class RateLimiter implements Limiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  take(keyId: string, action: string, qps: number | undefined, now = performance.now()): boolean {
    if (!qps || qps <= 0) return true;
    const id = `${keyId}\u0000${action}`;
    const bucket = this.buckets.get(id) ?? { tokens: qps, at: now };
    bucket.tokens = Math.min(qps, bucket.tokens + ((now - bucket.at) / 1000) * qps);
    bucket.at = now;
    this.buckets.set(id, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}

/** The window a QPS limit is counted in: one second, or longer for limits under one call per second. */
export function rateWindow(qps: number, now: number): { start: number; ms: number; calls: number } {
  const ms = qps >= 1 ? 1000 : Math.ceil(1000 / qps);
  return { start: Math.floor(now / ms) * ms, ms, calls: Math.max(1, Math.floor((qps * ms) / 1000)) };
}

/**
 * QPS limits shared by every instance on one PostgreSQL store: a counter row per key, action and
 * window (a calendar second), raised by one atomic upsert that succeeds only while the window has room.
 * Two instances behind a load balancer therefore hold a key to its QPS together, not each.
 */
export class StoreRateLimiter implements Limiter {
  /** Windows this instance saw full, by key and action: a window's count only grows, so later calls are refused here. */
  private readonly full = new Map<string, number>();

  constructor(private readonly db: Database) {}

  async take(keyId: string, action: string, qps: number | undefined, now = Date.now()): Promise<boolean> {
    if (!qps || qps <= 0) return true;
    const window = rateWindow(qps, now);
    const id = `${keyId}\u0000${action}`;
    if (this.full.get(id) === window.start) return false;
    const rows = await this.db.all(
      `INSERT INTO rate_windows (key_id, action, window_start, calls, expires_at) VALUES (?, ?, ?, 1, ?)
       ON CONFLICT (key_id, action, window_start) DO UPDATE SET calls = rate_windows.calls + 1 WHERE rate_windows.calls < ?
       RETURNING calls`,
      [keyId, action, window.start, window.start + window.ms, window.calls],
    );
    if (rows.length > 0) return true;
    if (this.full.size > 10_000) this.full.clear();
    this.full.set(id, window.start);
    return false;
  }

  /** Deletes the counters of windows that have ended. */
  async purge(now = Date.now()): Promise<number> {
    return (await this.db.run('DELETE FROM rate_windows WHERE expires_at < ?', [now])).changes;
  }
}

/** The limiter of a store: shared counters on PostgreSQL (several instances), memory on SQLite (one process). */
export function limiterFor(db: Database): RateLimiter | StoreRateLimiter {
  return db.dialect === 'pg' ? new StoreRateLimiter(db) : new RateLimiter();
}

/** The QPS that applies to a key and action: the key's own, else the server's default for the action or `*`. */
export function qpsFor(keyLimits: Record<string, number>, defaults: Record<string, number>, action: string): number | undefined {
  return keyLimits[action] ?? keyLimits['*'] ?? defaults[action] ?? defaults['*'];
}
