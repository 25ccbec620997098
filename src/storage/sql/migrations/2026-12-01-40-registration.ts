/**
 * Frozen in time: never import application code here. Apps that register
 * themselves (SPEC §9, RFC 7591/7592):
 * - clients.registration: 'dynamic' or 'metadata-document' (NULL for apps an
 *   operator or developer made); registration_token_hash: SHA-256 of the
 *   registration access token; registration_metadata: JSON of the members
 *   kept but not acted on; last_used_at: when such an app last issued a token
 *   (written at most hourly, and never for other apps), which the cleanup job
 *   reads, hence the index on (registration, last_used_at);
 * - registration_tokens: initial access tokens (`gatehouse registration-tokens
 *   create`), `id.secret` with only the secret's hash kept, uses and expiry.
 */
import { sql, SqliteAdapter, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  await db.schema.alterTable('clients').addColumn('registration', 'text').execute();
  await db.schema.alterTable('clients').addColumn('registration_token_hash', 'text').execute();
  await db.schema.alterTable('clients').addColumn('registration_metadata', 'text').execute();
  await db.schema.alterTable('clients').addColumn('last_used_at', 'bigint').execute();
  await db.schema.createIndex('clients_registration').on('clients').columns(['registration', 'last_used_at']).execute();
  await db.schema
    .createTable('registration_tokens')
    .addColumn('id', sql.raw(sqlite ? 'integer' : 'bigint'), (c) => c.primaryKey())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('uses_left', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('registration_tokens').execute();
  await db.schema.dropIndex('clients_registration').execute();
  for (const column of ['last_used_at', 'registration_metadata', 'registration_token_hash', 'registration']) {
    await db.schema.alterTable('clients').dropColumn(column).execute();
  }
}
