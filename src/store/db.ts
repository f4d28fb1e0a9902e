/**
 * The small SQL surface the service needs, implemented by SQLite (embedded, one process) and
 * PostgreSQL (several instances behind a load balancer). Statements use `?` placeholders; the
 * PostgreSQL driver numbers them. Times are integer milliseconds since the epoch, JSON is TEXT.
 */
export interface SqlClient {
  all<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  run(sql: string, params?: readonly unknown[]): Promise<{ changes: number }>;
}

export type Dialect = 'sqlite' | 'pg';

export interface Database extends SqlClient {
  readonly dialect: Dialect;
  /**
   * Runs `fn` in one transaction: everything it writes commits together or not at all.
   * PostgreSQL callers lock the rows they change with `forUpdate` so concurrent instances serialize.
   */
  transaction<T>(fn: (client: SqlClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** `FOR UPDATE` where the database has row locks (SQLite transactions are already exclusive). */
export function forUpdate(db: { dialect: Dialect }, skipLocked = false): string {
  if (db.dialect !== 'pg') return '';
  return skipLocked ? ' FOR UPDATE SKIP LOCKED' : ' FOR UPDATE';
}

export async function one<T>(client: SqlClient, sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
  const rows = await client.all<T>(sql, params);
  return rows[0];
}
