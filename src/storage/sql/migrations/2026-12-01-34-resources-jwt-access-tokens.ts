/**
 * Frozen in time: never import app code here. Resource indicators (RFC 8707)
 * and JWT access tokens (RFC 9068), SPEC §8:
 * - clients.resources: JSON array of the resources the app may ask for
 *   (empty: any); clients.access_token_format: `opaque` (default) or `jwt`;
 * - authorization_codes.resources, device_codes.resources: the resources of
 *   the authorize / device authorization request, space-separated (null: none);
 * - tokens.audience: the resources a token is for, space-separated; null is
 *   the client_id as before, so a token without resources writes nothing new.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('clients').addColumn('resources', 'text', (col) => col.notNull().defaultTo('[]')).execute();
  await db.schema.alterTable('clients').addColumn('access_token_format', 'text', (col) => col.notNull().defaultTo('opaque')).execute();
  await db.schema.alterTable('authorization_codes').addColumn('resources', 'text').execute();
  await db.schema.alterTable('device_codes').addColumn('resources', 'text').execute();
  await db.schema.alterTable('tokens').addColumn('audience', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('tokens').dropColumn('audience').execute();
  await db.schema.alterTable('device_codes').dropColumn('resources').execute();
  await db.schema.alterTable('authorization_codes').dropColumn('resources').execute();
  await db.schema.alterTable('clients').dropColumn('access_token_format').execute();
  await db.schema.alterTable('clients').dropColumn('resources').execute();
}
