/**
 * Frozen in time: never import app code here. Refresh grace (SPEC §8):
 * - clients.refresh_grace: seconds a used refresh token may be presented
 *   again for the same answer (0: strict single use, Baidu's);
 * - refresh_answers: the answer to the first use of a refresh token of such
 *   an app, sealed (AES-256-GCM) under a key derived from that refresh
 *   token's secret, which the server never keeps: only its holder can open
 *   it. Kept until `expires_at` (the end of the window), then deleted.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('clients').addColumn('refresh_grace', 'integer', (col) => col.notNull().defaultTo(0)).execute();
  await db.schema
    .createTable('refresh_answers')
    .addColumn('token_id', 'bigint', (col) => col.primaryKey())
    .addColumn('sealed', 'text', (col) => col.notNull())
    .addColumn('expires_at', 'bigint', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('refresh_answers_expires_at').on('refresh_answers').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('refresh_answers').execute();
  await db.schema.alterTable('clients').dropColumn('refresh_grace').execute();
}
