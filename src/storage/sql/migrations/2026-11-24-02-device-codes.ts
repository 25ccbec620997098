/**
 * Frozen in time: never import application code here. Device authorizations
 * (RFC 8628): found by id (the device code is `id.secret`) or by the hash of
 * the user code (unique, so two live codes never collide); cleaned up by
 * expiry, hence the index on expires_at.
 */
import { sql, SqliteAdapter, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  // SQLite's row id alias needs the exact type INTEGER (see the initial migration).
  const idType = sqlite ? 'integer' : 'bigint';
  await db.schema
    .createTable('device_codes')
    .addColumn('id', sql.raw(idType), (c) => c.primaryKey())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('user_code_hash', 'text', (c) => c.notNull().unique())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('uid', 'text')
    .addColumn('poll_interval', 'integer', (c) => c.notNull())
    .addColumn('last_poll_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('consumed_at', 'bigint')
    .execute();
  await db.schema.createIndex('device_codes_expires').on('device_codes').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('device_codes').execute();
}
