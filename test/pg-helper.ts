import pg from 'pg';

/**
 * A fresh, empty PostgreSQL database named `name` on the server of `url` (dropped first if it exists),
 * so test files running in parallel never share tables. Returns its URL.
 */
export async function freshPgDatabase(url: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const target = new URL(url);
  target.pathname = `/${name}`;
  return target.toString();
}
