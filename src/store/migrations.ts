import type { Database } from './db.js';

/**
 * Schema versions, applied in order and recorded in schema_migrations. The statements are portable
 * between SQLite and PostgreSQL (BIGINT millisecond times, TEXT JSON, INTEGER flags).
 */
export const MIGRATIONS: ReadonlyArray<{ version: number; statements: string[] }> = [
  {
    version: 1,
    statements: [
      `CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        key_hash TEXT NOT NULL UNIQUE,
        key_prefix TEXT NOT NULL,
        scopes TEXT NOT NULL,
        status TEXT NOT NULL,
        payg INTEGER NOT NULL,
        rate_limits TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        revoked_at BIGINT
      )`,
      `CREATE TABLE packages (
        id TEXT PRIMARY KEY,
        key_id TEXT NOT NULL REFERENCES api_keys(id),
        action TEXT NOT NULL,
        calls_total BIGINT NOT NULL,
        calls_used BIGINT NOT NULL,
        months INTEGER NOT NULL,
        purchased_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
      )`,
      `CREATE INDEX packages_by_key ON packages (key_id, expires_at)`,
      `CREATE TABLE requests (
        id TEXT PRIMARY KEY,
        key_id TEXT NOT NULL,
        action TEXT NOT NULL,
        kind TEXT NOT NULL,
        state TEXT NOT NULL,
        units BIGINT NOT NULL,
        payg_units BIGINT NOT NULL,
        allocation TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        finished_at BIGINT
      )`,
      `CREATE INDEX requests_by_state ON requests (state, created_at)`,
      `CREATE TABLE usage (
        key_id TEXT NOT NULL,
        action TEXT NOT NULL,
        day TEXT NOT NULL,
        calls BIGINT NOT NULL,
        units BIGINT NOT NULL,
        package_units BIGINT NOT NULL,
        payg_units BIGINT NOT NULL,
        PRIMARY KEY (key_id, action, day)
      )`,
      `CREATE TABLE idempotency (
        key_id TEXT NOT NULL,
        idem_key TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        status_code INTEGER NOT NULL,
        body TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (key_id, idem_key)
      )`,
      `CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        key_id TEXT NOT NULL,
        action TEXT NOT NULL,
        status TEXT NOT NULL,
        input TEXT NOT NULL,
        result TEXT,
        error TEXT,
        attempts INTEGER NOT NULL,
        lease_until BIGINT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
      )`,
      `CREATE INDEX jobs_by_status ON jobs (status, lease_until)`,
    ],
  },
  {
    version: 2,
    statements: [
      // QPS counters shared by instances on PostgreSQL (StoreRateLimiter); one row per key, action and window.
      `CREATE TABLE rate_windows (
        key_id TEXT NOT NULL,
        action TEXT NOT NULL,
        window_start BIGINT NOT NULL,
        calls BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        PRIMARY KEY (key_id, action, window_start)
      )`,
      `CREATE INDEX rate_windows_by_expiry ON rate_windows (expires_at)`,
    ],
  },
];

/** Applies the missing migrations in one transaction; instances starting together on PostgreSQL take turns. */
export async function migrate(db: Database): Promise<void> {
  await db.transaction(async (tx) => {
    // Before anything else, even CREATE TABLE IF NOT EXISTS, which races between PostgreSQL sessions.
    if (db.dialect === 'pg') await tx.all('SELECT pg_advisory_xact_lock(7301)');
    await tx.run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
    for (const migration of MIGRATIONS) {
      const done = await tx.all('SELECT version FROM schema_migrations WHERE version = ?', [migration.version]);
      if (done.length > 0) continue;
      for (const statement of migration.statements) await tx.run(statement);
      await tx.run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', [migration.version, Date.now()]);
    }
  });
}
