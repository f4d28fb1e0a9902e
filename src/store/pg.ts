import pg from 'pg';
import type { Database, SqlClient } from './db.js';

// BIGINT columns hold millisecond times and counters well inside 2^53.
pg.types.setTypeParser(20, (value: string) => Number(value));

/** `?` placeholders to `$1, $2…` (our statements never contain a literal question mark). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

function clientOf(queryable: pg.Pool | pg.PoolClient): SqlClient {
  return {
    async all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
      const result = await queryable.query(numbered(sql), params as unknown[]);
      return result.rows as T[];
    },
    async run(sql: string, params: readonly unknown[] = []): Promise<{ changes: number }> {
      const result = await queryable.query(numbered(sql), params as unknown[]);
      return { changes: result.rowCount ?? 0 };
    },
  };
}

/** PostgreSQL through a connection pool; transactions take a dedicated connection. */
export class PgDatabase implements Database {
  readonly dialect = 'pg' as const;
  readonly pool: pg.Pool;
  private readonly direct: SqlClient;

  constructor(connectionString: string, poolSize = 10) {
    this.pool = new pg.Pool({ connectionString, max: poolSize });
    // An idle connection dropped by the server must not crash the process.
    this.pool.on('error', () => undefined);
    this.direct = clientOf(this.pool);
  }

  all<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return this.direct.all<T>(sql, params);
  }

  run(sql: string, params?: readonly unknown[]): Promise<{ changes: number }> {
    return this.direct.run(sql, params);
  }

  async transaction<T>(fn: (client: SqlClient) => Promise<T>): Promise<T> {
    const connection = await this.pool.connect();
    try {
      await connection.query('BEGIN');
      const result = await fn(clientOf(connection));
      await connection.query('COMMIT');
      return result;
    } catch (error) {
      await connection.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      connection.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
