/**
 * Frozen in time: never import app code here. OpenID Connect sign-ins kept
 * beyond the code (SPEC §7: a refreshed id_token keeps the original nonce,
 * auth_time and sid):
 * - sign_ins: one row per token family that an OpenID grant gave a refresh
 *   token, keyed by the family id (the tokens' family_id); a separate table
 *   so that the tokens INSERT, the hottest statement, stays as it is;
 * - device_codes.sign_in: the approving person's session (auth_time, sid),
 *   JSON, set when the device page approves a request with openid.
 */
import { type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sign_ins')
    .addColumn('family_id', 'bigint', (c) => c.primaryKey())
    .addColumn('sign_in', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('device_codes').addColumn('sign_in', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('device_codes').dropColumn('sign_in').execute();
  await db.schema.dropTable('sign_ins').execute();
}
