/**
 * Frozen in time: never import application code here. Logout (SPEC §7):
 * - session_apps: which apps each sign-in session signed in to, one row per
 *   (sid, client_id); read when the session ends, by sid or by user (and
 *   app); deleted by gc after a session's lifetime, hence created_at's index;
 * - logout_outbox: one back-channel logout to deliver per row, claimed by
 *   one instance at a time (claim, next_attempt_at), at most one row per
 *   (sid, client_id) (a NULL sid, "every session of the user", is never a
 *   duplicate); finished rows stay until gc, hence finished_at's index.
 */
import { sql, SqliteAdapter, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  const idType = sqlite ? 'integer' : 'bigint';
  await db.schema
    .createTable('session_apps')
    .addColumn('sid', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('uid', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('session_apps_pk', ['sid', 'client_id'])
    .execute();
  await db.schema.createIndex('session_apps_user').on('session_apps').columns(['uid', 'client_id']).execute();
  await db.schema.createIndex('session_apps_created').on('session_apps').column('created_at').execute();
  await db.schema
    .createTable('logout_outbox')
    .addColumn('id', sql.raw(idType), (c) => c.primaryKey())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('uid', 'text', (c) => c.notNull())
    .addColumn('sid', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('claim', 'text')
    .execute();
  await db.schema.createIndex('logout_outbox_session').on('logout_outbox').columns(['sid', 'client_id']).unique().execute();
  await db.schema.createIndex('logout_outbox_due').on('logout_outbox').columns(['state', 'next_attempt_at']).execute();
  await db.schema.createIndex('logout_outbox_finished').on('logout_outbox').column('finished_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('logout_outbox').execute();
  await db.schema.dropTable('session_apps').execute();
}
