import { Migrator, PostgresAdapter, SqliteAdapter, sql, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import { migrations } from './migrations/index.js';

/**
 * The schema that unqualified names resolve to on PostgreSQL (the first of
 * the connection's search_path), undefined on SQLite.
 *
 * Why it matters: Kysely's Migrator decides whether its bookkeeping tables
 * exist by looking through *every* schema of the database, so a second
 * Gatehouse (or any Kysely app) in another schema of the same database would
 * make it skip creating them in ours and then fail. Naming our schema keeps
 * each installation's bookkeeping to itself.
 */
async function currentSchema(db: Kysely<any>): Promise<string | undefined> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return undefined;
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema;
  if (schema === null || schema === undefined) throw new Error('PostgreSQL has no current schema: the search_path names no existing schema');
  return schema;
}

/**
 * Applies every pending migration of `list` (all of them but in tests of
 * upgrades from an older schema); throws with the failing migration's name.
 *
 * Safe while other instances serve or migrate at the same time: on PostgreSQL
 * Kysely's Migrator holds a session-level `pg_advisory_lock` for the whole run
 * and applies the pending migrations in one transaction (DDL is transactional
 * there), re-reading what is applied after taking the lock, so a second
 * `gatehouse migrate` waits and then finds nothing to do
 * (test/storage/migrate-concurrency.test.ts).
 *
 * On SQLite the Migrator takes no lock and no transaction (Kysely's SQLite
 * adapter claims no transactional DDL), so two processes starting on a fresh
 * file (cluster workers, a `migrate` beside `serve`) could both apply a
 * migration. SQLite's DDL is transactional, so we wrap the whole run in
 * `BEGIN IMMEDIATE`: it takes the write lock before reading what is applied,
 * the other process waits (busy_timeout) and then finds nothing to do, and a
 * failing migration leaves no half-made tables.
 */
export async function migrateToLatest(db: Kysely<any>, list: Record<string, Migration> = migrations): Promise<MigrationResultSet> {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return runMigrator(db, list);
  await sql`begin immediate`.execute(db);
  try {
    const result = await runMigrator(db, list);
    await sql`commit`.execute(db);
    return result;
  } catch (error) {
    await sql`rollback`.execute(db);
    throw error;
  }
}

async function runMigrator(db: Kysely<any>, list: Record<string, Migration>): Promise<MigrationResultSet> {
  const schema = await currentSchema(db);
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => list },
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  const result = await migrator.migrateToLatest();
  if (result.error !== undefined) {
    const failed = result.results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '?'} failed: ${String(result.error)}`, { cause: result.error });
  }
  return result;
}
