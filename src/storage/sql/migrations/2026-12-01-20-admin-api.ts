/**
 * Frozen in time: never import application code here. The admin API (SPEC
 * §10): apps made with `clients create --admin`, users an operator disabled,
 * and the audit trail (one row per change, never a secret).
 */
import { sql, SqliteAdapter, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  await db.schema.alterTable('clients').addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('users').addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema
    .createTable('audit_events')
    // SQLite's INTEGER PRIMARY KEY is the rowid, assigned in order; PostgreSQL needs a sequence.
    .addColumn('id', sql.raw(sqlite ? 'integer' : 'bigserial'), (c) => c.primaryKey())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('address', 'text')
    .addColumn('request_id', 'text')
    .execute();
  // The console lists the events of a developer's own apps.
  await db.schema.createIndex('audit_events_target').on('audit_events').columns(['target_id', 'id']).execute();
  // No index on tokens.client_id for tokens/revoke by app alone: it would cost every token
  // insert (the hot path) for a rare operator call; a uid uses tokens_user_client.
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_events').execute();
  await db.schema.alterTable('users').dropColumn('disabled').execute();
  await db.schema.alterTable('clients').dropColumn('is_admin').execute();
}
