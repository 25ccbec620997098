/**
 * Frozen in time: never import app code here. DPoP (RFC 9449, SPEC §8):
 * tokens.jkt, the thumbprint of the key a token is bound to (NULL for a
 * Bearer token: a nullable column without default costs an unbound insert
 * nothing), and clients.require_dpop (`clients create --require-dpop`).
 */
import { type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('tokens').addColumn('jkt', 'text').execute();
  await db.schema.alterTable('clients').addColumn('require_dpop', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('clients').dropColumn('require_dpop').execute();
  await db.schema.alterTable('tokens').dropColumn('jkt').execute();
}
