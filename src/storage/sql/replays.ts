/**
 * The replay cache over Kysely (PostgreSQL; SQLite below). One statement
 * decides: an INSERT that, on a key already there, overwrites it only when
 * the old entry expired. Exactly one of racing callers inserts (the primary
 * key), and a live entry is never overwritten, so the answer is "first use"
 * for one caller whatever the number of instances.
 */
import { createHash } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import { type Kysely } from 'kysely';
import type { ReplayCache } from '../../core/replays.js';
import type { Database } from './schema.js';
import type { SqliteTurnWriter } from './sqlite-turn-writer.js';

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

/**
 * The same statement on SQLite through a prepared statement in the turn's
 * write transaction (sqlite-turn-writer.ts). Each DPoP proof and client
 * assertion records its jti; over Kysely that INSERT was a commit of its own
 * per request when no transaction was open, where the turn writer commits the
 * jtis of a whole turn at once. The answer settles after that commit: a jti
 * is durable before the request it admits goes on.
 */
export class SqliteReplayCache extends SqlReplayCache {
  private readonly upsert: BetterSqlite3.Statement<[string, number, number]>;

  constructor(
    db: Kysely<Database>,
    raw: BetterSqlite3.Database,
    private readonly writer: SqliteTurnWriter,
  ) {
    super(db);
    this.upsert = raw.prepare(
      'INSERT INTO used_jtis (key_hash, expires_at) VALUES (?, ?) ON CONFLICT (key_hash) DO UPDATE SET expires_at = excluded.expires_at WHERE used_jtis.expires_at <= ?',
    );
  }

  override firstUse(key: string, expiresAt: number, now: number): Promise<boolean> {
    const keyHash = replayKeyHash(key);
    return this.writer.write(() => this.upsert.run(keyHash, expiresAt, now).changes === 1);
  }
}
