import BetterSqlite3 from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Database, SqlClient } from './db.js';

/**
 * SQLite through better-sqlite3. Statements are synchronous, so a transaction must not let another
 * request's statements slip in while it awaits: a promise chain serializes transactions, and
 * statements outside a transaction wait for the one in progress.
 */
export class SqliteDatabase implements Database {
  readonly dialect = 'sqlite' as const;
  private readonly db: BetterSqlite3.Database;
  private readonly statements = new Map<string, BetterSqlite3.Statement>();
  private lock: Promise<unknown> = Promise.resolve();
  private inTransaction = false;

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new BetterSqlite3(file);
    this.db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a commit survives a crash or kill -9 of the process (the OS holds the WAL
    // pages); only a power loss may drop the last commits. FULL would fsync twice per call (~7 ms here).
    // MEDSTRUCT_SQLITE_SYNC=FULL trades that speed for power-loss durability.
    this.db.pragma(`synchronous = ${process.env.MEDSTRUCT_SQLITE_SYNC === 'FULL' ? 'FULL' : 'NORMAL'}`);
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
  }

  private prepare(sql: string): BetterSqlite3.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  private allNow<T>(sql: string, params: readonly unknown[]): T[] {
    const stmt = this.prepare(sql);
    if (!stmt.reader) {
      stmt.run(...(params as unknown[]));
      return [];
    }
    return stmt.all(...(params as unknown[])) as T[];
  }

  private runNow(sql: string, params: readonly unknown[]): { changes: number } {
    const stmt = this.prepare(sql);
    if (stmt.reader) return { changes: stmt.all(...(params as unknown[])).length };
    return { changes: stmt.run(...(params as unknown[])).changes };
  }

  private readonly direct: SqlClient = {
    all: async <T>(sql: string, params: readonly unknown[] = []) => this.allNow<T>(sql, params),
    run: async (sql: string, params: readonly unknown[] = []) => this.runNow(sql, params),
  };

  async all<T = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    if (this.inTransaction) await this.lock.catch(() => undefined);
    return this.allNow<T>(sql, params);
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<{ changes: number }> {
    if (this.inTransaction) await this.lock.catch(() => undefined);
    return this.runNow(sql, params);
  }

  transaction<T>(fn: (client: SqlClient) => Promise<T>): Promise<T> {
    const next = this.lock.catch(() => undefined).then(async () => {
      this.inTransaction = true;
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.direct);
        this.db.exec('COMMIT');
        return result;
      } catch (error) {
        this.db.exec('ROLLBACK');
        throw error;
      } finally {
        this.inTransaction = false;
      }
    });
    this.lock = next;
    return next;
  }

  /** Runs raw SQL with several statements (migrations). */
  exec(sql: string): void {
    this.db.exec(sql);
  }

  async close(): Promise<void> {
    await this.lock.catch(() => undefined);
    this.db.close();
  }
}
