/**
 * Frozen in time: never import app code here. used_jtis: the single-use
 * identifiers of DPoP proofs and client assertions (core/replays.ts), keyed
 * by SHA-256 of the caller's key (so a long jti costs no more than a short
 * one), with the time after which the entry no longer matters; the index on
 * expires_at is the cleanup job's.
 */
import { type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('used_jtis')
    .addColumn('key_hash', 'text', (c) => c.primaryKey())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('used_jtis_expires_at').on('used_jtis').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('used_jtis').execute();
}
