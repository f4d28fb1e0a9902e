import { join } from 'node:path';
import { MedstructError } from '../errors.js';
import type { Database } from './db.js';
import { migrate } from './migrations.js';
import { PgDatabase } from './pg.js';
import { SqliteDatabase } from './sqlite.js';

export { forUpdate, one, type Database, type Dialect, type SqlClient } from './db.js';

export interface StoreOptions {
  /** Folder of the embedded SQLite database (medstruct.db); default ./data. */
  dataDir?: string;
  /** `postgres://…`: use PostgreSQL instead (shared by several instances). Callers pass DATABASE_URL here. */
  databaseUrl?: string;
}

export const DEFAULT_DATA_DIR = 'data';

/** Opens and migrates the store: PostgreSQL when a URL is given, else SQLite in the data folder. */
export async function openStore(options: StoreOptions = {}): Promise<Database> {
  const url = options.databaseUrl;
  if (url && !/^postgres(ql)?:\/\//.test(url)) throw new MedstructError('INVALID_ARGUMENT', 'DATABASE_URL must be a postgres:// URL');
  const db: Database = url
    ? new PgDatabase(url)
    : new SqliteDatabase(options.dataDir === ':memory:' ? ':memory:' : join(options.dataDir ?? DEFAULT_DATA_DIR, 'medstruct.db'));
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}

/**
 * Where the CLI and `serve` keep their data: DATABASE_URL (PostgreSQL) when set, else the SQLite
 * database in `--data-dir`, MEDSTRUCT_DATA_DIR, or ./data.
 */
export function storeOptionsFromEnv(dataDir: string | undefined, env: NodeJS.ProcessEnv = process.env): StoreOptions {
  if (env.DATABASE_URL) return { databaseUrl: env.DATABASE_URL };
  return { dataDir: dataDir ?? (env.MEDSTRUCT_DATA_DIR || DEFAULT_DATA_DIR) };
}
