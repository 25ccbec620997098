/**
 * Frozen in time: never import application code here. Pushed authorization
 * requests (RFC 9126, SPEC §8): `clients create --require-par`, and the
 * pushed requests themselves. A request_uri is
 * `urn:ietf:params:oauth:request_uri:ID.SECRET`; the row holds only
 * SHA-256(SECRET), the app it is bound to, the authorize parameters (JSON),
 * and consumed_at for single use (one conditional UPDATE).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('clients').addColumn('require_par', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema
    .createTable('pushed_requests')
    .addColumn('id', 'bigint', (c) => c.primaryKey())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('consumed_at', 'bigint')
    .execute();
  // The cleanup job deletes expired requests in bounded batches.
  await db.schema.createIndex('pushed_requests_expires').on('pushed_requests').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('pushed_requests').execute();
  await db.schema.alterTable('clients').dropColumn('require_par').execute();
}
