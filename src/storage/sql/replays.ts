/**
 * The replay cache over Kysely (SQLite and PostgreSQL). One statement
 * decides: an INSERT that, on a key already there, overwrites it only when
 * the old entry expired. Exactly one of racing callers inserts (the primary
 * key), and a live entry is never overwritten, so the answer is "first use"
 * for one caller whatever the number of instances.
 */
import { createHash } from 'node:crypto';
import { type Kysely } from 'kysely';
import type { ReplayCache } from '../../core/replays.js';
import type { Database } from './schema.js';

export const replayKeyHash = (key: string): string => createHash('sha256').update(key).digest('hex');

export class SqlReplayCache implements ReplayCache {
  constructor(private readonly db: Kysely<Database>) {}

  async firstUse(key: string, expiresAt: number, now: number): Promise<boolean> {
    const result = await this.db
      .insertInto('used_jtis')
      .values({ key_hash: replayKeyHash(key), expires_at: expiresAt })
      .onConflict((oc) => oc.column('key_hash').doUpdateSet({ expires_at: expiresAt }).where('used_jtis.expires_at', '<=', now))
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async deleteExpired(now: number, limit: number): Promise<number> {
    const batch = this.db.selectFrom('used_jtis').select('key_hash').where('expires_at', '<=', now).limit(limit);
    return Number((await this.db.deleteFrom('used_jtis').where('key_hash', 'in', batch).executeTakeFirst()).numDeletedRows);
  }
}
