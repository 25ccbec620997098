/**
 * Frozen in time: never import application code here. The cleanup job no
 * longer finds expired tokens through an index on expires_at: it walks the
 * primary key (src/jobs/gc.ts, "the expiry walk"). Every token row, client
 * credentials included, paid one B-tree insert into tokens_expires; a client
 * credentials token now pays none beyond its primary key (issue 17,
 * docs/performance.md round 9). Codes keep authorization_codes_expires: they
 * are minted by /authorize, not by the token endpoint.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('tokens_expires').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('tokens_expires').on('tokens').column('expires_at').execute();
}
