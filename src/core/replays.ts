/**
 * Identifiers that may be used once: a DPoP proof's `jti` (RFC 9449 §11.1)
 * and a client assertion's `jti` (RFC 7523 §3, item 7). A proof or an
 * assertion is only worth recording once its signature checked out, so the
 * cache holds at most what valid requests put there, each entry for as long
 * as the thing it names could still be accepted (then the cleanup job drops it).
 *
 * The database is the cache on every deployment: PostgreSQL holds across
 * instances, SQLite across the processes of one machine. Redis, which is
 * optional and may go away, is not used for it: an outage of a cache that
 * decides single use would open a replay window (SPEC §8 asks for one that
 * holds across instances; the database already does).
 */
export interface ReplayCache {
  /**
   * Records `key` until `expiresAt` (ms). True for exactly one caller per key
   * while the record lives, however many instances race; false for every
   * other. A record that expired no longer counts (its key may be used again).
   */
  firstUse(key: string, expiresAt: number, now: number): Promise<boolean>;
  /** Forgets up to `limit` records expired at `now`; returns how many (the cleanup job). */
  deleteExpired(now: number, limit: number): Promise<number>;
}
