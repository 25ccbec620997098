/**
 * Frozen in time: never import application code here. Indexes the cleanup
 * job (src/jobs/gc.ts) walks, so each of its bounded DELETEs finds its rows
 * without scanning the table:
 * - expiry of tokens and codes (expires_at grows with time, so these inserts
 *   append to the index's last page, the cheap kind: PERFORMANCE-NOTES.md);
 * - revocation of tokens, partial: only revoked rows are in it, so issuing a
 *   token costs nothing here.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('tokens_expires').on('tokens').column('expires_at').execute();
  await db.schema.createIndex('tokens_revoked').on('tokens').column('revoked_at').where(sql.ref('revoked_at'), 'is not', null).execute();
  await db.schema.createIndex('authorization_codes_expires').on('authorization_codes').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const index of ['authorization_codes_expires', 'tokens_revoked', 'tokens_expires']) await db.schema.dropIndex(index).execute();
}
