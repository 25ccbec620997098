/**
 * Frozen in time: never import application code here. JWT client
 * authentication (SPEC §8, RFC 7523, RFC 7591 §2): the app's one accepted
 * token_endpoint_auth_method (null: any it has material for), its public keys
 * inline (jwks, JSON) or by URL (jwks_uri), and, for client_secret_jwt only,
 * the Secret Key sealed under GATEHOUSE_KEYS_SECRET (secret_hash stays the
 * hash; the sealed copy exists because HS256 needs the secret itself).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('clients').addColumn('token_endpoint_auth_method', 'text').execute();
  await db.schema.alterTable('clients').addColumn('jwks', 'text').execute();
  await db.schema.alterTable('clients').addColumn('jwks_uri', 'text').execute();
  await db.schema.alterTable('clients').addColumn('sealed_secret', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const column of ['sealed_secret', 'jwks_uri', 'jwks', 'token_endpoint_auth_method']) {
    await db.schema.alterTable('clients').dropColumn(column).execute();
  }
}
