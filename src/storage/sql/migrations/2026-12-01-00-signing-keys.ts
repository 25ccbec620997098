/**
 * Frozen in time: never import application code here. Signing keys (SPEC §7):
 * one row per key; states come from the timestamps. (alg, generation) is
 * unique so that instances starting at once on a fresh database cannot both
 * insert "the first key" of an algorithm: the loser's INSERT does nothing.
 * private_jwk is the private JWK, sealed as `encryption` says (or clear JSON
 * when `encryption` is 'none').
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('signing_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('alg', 'text', (c) => c.notNull())
    .addColumn('generation', 'integer', (c) => c.notNull())
    .addColumn('public_jwk', 'text', (c) => c.notNull())
    .addColumn('private_jwk', 'text', (c) => c.notNull())
    .addColumn('encryption', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('activates_at', 'bigint', (c) => c.notNull())
    .addColumn('retired_at', 'bigint')
    .addUniqueConstraint('signing_keys_alg_generation', ['alg', 'generation'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('signing_keys').execute();
}
