/**
 * Frozen in time: never import application code here. The console's "recent
 * failures" in the database, so they survive a restart and every instance
 * sees every instance's failures. Bounded per app by the store (it prunes on
 * insert), so a misbehaving client cannot grow it without limit.
 */
import { sql, SqliteAdapter, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  await db.schema
    .createTable('recent_failures')
    // SQLite's INTEGER PRIMARY KEY is the rowid, assigned in order; PostgreSQL needs a sequence.
    .addColumn('id', sql.raw(sqlite ? 'integer' : 'bigserial'), (c) => c.primaryKey())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('endpoint', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('request_id', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('recent_failures_client').on('recent_failures').columns(['client_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('recent_failures').execute();
}
