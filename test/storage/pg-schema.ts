/**
 * A throwaway PostgreSQL schema per test run: created on the server named by
 * GATEHOUSE_TEST_DATABASE_URL, reached through a URL whose connections put it
 * first on the search_path (so migrations and queries land in it), dropped
 * with CASCADE at the end.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_URL = process.env['GATEHOUSE_TEST_DATABASE_URL'];
export const PG_SKIP_MESSAGE = 'skipping PostgreSQL suite: set GATEHOUSE_TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test)';

export interface TestSchema {
  name: string;
  /** The database URL with `options=-c search_path=<schema>`. */
  url: string;
  drop(): Promise<void>;
}

async function admin<T>(base: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

export async function createTestSchema(base: string): Promise<TestSchema> {
  const name = `gh_test_${randomBytes(6).toString('hex')}`;
  await admin(base, (client) => client.query(`CREATE SCHEMA ${name}`));
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${name}`);
  return {
    name,
    url: url.toString(),
    drop: () => admin(base, (client) => client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`)).then(() => undefined),
  };
}

/** The tables of one schema, to check that migrations landed there. */
export async function tablesIn(base: string, schema: string): Promise<string[]> {
  const result = await admin(base, (client) =>
    client.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name', [schema]),
  );
  return result.rows.map((row) => row.table_name);
}
