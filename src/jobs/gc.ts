/**
 * The cleanup job: deletes what can no longer change any answer, so tables
 * stay bounded, in batches of `batchSize` rows per statement (a long backlog
 * never holds a long lock), one instance at a time.
 *
 * What goes, and what is kept on purpose (GRACE = one day):
 * - authorization codes, spent or not, once expired for GRACE. A consumed
 *   code is kept that long because a second redemption must still revoke
 *   the tokens it issued (RFC 6749 §4.1.2), even a little after it expired.
 * - tokens expired for GRACE (until then tokeninfo/getLoggedInUser can still
 *   say "expired", Baidu error_code 111, rather than "invalid", 110), found
 *   by walking the primary key, not through an index (walkExpiredTokens).
 * - tokens revoked GRACE ago — except consumed refresh tokens: presenting a
 *   used refresh token must answer expired_token and revoke its family
 *   "always, even after its family was revoked" (SPEC §3, RFC 9700 §4.14.2),
 *   which needs the row, so a consumed refresh token stays until it expires.
 * - device authorizations expired for GRACE (their poll answers
 *   expired_token until then, SPEC §4).
 * - session-apps older than a session's lifetime (a day: cookies.ts), whose
 *   session can no longer end by logout;
 * - refresh-grace answers (SPEC §8) once their window ended;
 * - back-channel logouts delivered or given up GRACE ago (a pending one is
 *   never deleted: it is given up, and kept, after a day of retries).
 * - used jti values (core/replays.ts) once expired: their proof or assertion
 *   would fail its own time check first.
 * - OpenID sign-ins of token families (sign_ins) made GRACE ago whose tokens
 *   are all gone: nothing can be refreshed into an id_token with them.
 *
 * - apps that registered themselves (SPEC §9) and issued no token for
 *   `dynamicClientTtlSeconds` (GATEHOUSE_DYNAMIC_CLIENT_TTL; counted from
 *   their creation when they never did), deleted through the audited change,
 *   so their tokens are revoked and their consents forgotten with them;
 *   initial access tokens used up or expired.
 *
 * One at a time: on PostgreSQL a session-level pg_try_advisory_lock; the
 * instance that does not get it skips this round. On SQLite there is one
 * process (or cluster workers of one machine, whose DELETEs SQLite's write
 * lock serializes; a second worker simply finds nothing left to delete).
 */
import { sql, type Kysely } from 'kysely';
import type { OpenedDatabase } from '../storage/sql/connect.js';
import type { Database } from '../storage/sql/schema.js';

export const GRACE_MS = 24 * 3600 * 1000;
/** A sign-in session lasts a day (src/http/cookies.ts): its apps are forgotten after that. */
export const SESSION_APP_MS = 24 * 3600 * 1000;
/** Any fixed 64-bit number; every Gatehouse instance on the database uses the same. */
export const GC_LOCK_KEY = 7_134_552_910_482_337;

export interface GcOptions {
  now?: number;
  /** Rows per DELETE statement (default 1000). */
  batchSize?: number;
  /** Statements per table per run (default 1000): the rest waits for the next run. */
  maxBatches?: number;
  /** GATEHOUSE_DYNAMIC_CLIENT_TTL in seconds (default 2592000). */
  dynamicClientTtlSeconds?: number;
}

export interface GcCounts {
  codes: number;
  expiredTokens: number;
  revokedTokens: number;
  devices: number;
  sessionApps: number;
  logouts: number;
  replays: number;
  signIns: number;
  dynamicApps: number;
  registrationTokens: number;
  /** Pushed authorization requests past their lifetime (RFC 9126). */
  pushedRequests: number;
}

export type GcResult = { ran: true; counts: GcCounts } | { ran: false; reason: string };

const yieldToRequests = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Repeats one bounded DELETE until it deletes less than a batch, or `maxBatches` times. */
async function drain(deleteBatch: () => Promise<number>, batchSize: number, maxBatches: number): Promise<number> {
  let total = 0;
  for (let batch = 0; batch < maxBatches; batch += 1) {
    const deleted = await deleteBatch();
    total += deleted;
    if (deleted < batchSize) break;
    await yieldToRequests();
  }
  return total;
}

// IN over a LIMITed subquery: the one bounded DELETE both SQLite and PostgreSQL accept.
async function deleteCodes(db: Kysely<Database>, before: number, limit: number): Promise<number> {
  const batch = db.selectFrom('authorization_codes').select('id').where('expires_at', '<', before).limit(limit);
  return Number((await db.deleteFrom('authorization_codes').where('id', 'in', batch).executeTakeFirst()).numDeletedRows);
}

/**
 * The expiry walk (issue 17). tokens.expires_at has no index, so that issuing
 * a token inserts into no B-tree but its primary key (a client credentials
 * token into nothing else at all). Instead each step reads the next
 * `batchSize` rows in primary-key order from where the walk stopped, and
 * deletes those of them expired for GRACE; a run takes at most `maxBatches`
 * steps and the next run goes on from there, back to the start once the walk
 * reaches the end. So every row is looked at once per pass, and an expired
 * token goes within ceil(rows / (batchSize × maxBatches)) runs after its grace
 * day: with the defaults, the next run for a table of up to a million tokens.
 * Where the walk stopped is this process's own (a restart starts over; on
 * PostgreSQL the instance holding the lock walks from its own position).
 */
const walkPositions = new WeakMap<OpenedDatabase, number>();

async function walkExpiredTokens(db: Kysely<Database>, database: OpenedDatabase, before: number, batchSize: number, maxBatches: number): Promise<number> {
  let after = walkPositions.get(database) ?? 0;
  let deleted = 0;
  for (let step = 0; step < maxBatches; step += 1) {
    const rows = await db.selectFrom('tokens').select(['id', 'expires_at']).where('id', '>', after).orderBy('id').limit(batchSize).execute();
    const expired = rows.filter((row) => Number(row.expires_at) < before).map((row) => row.id);
    if (expired.length > 0) {
      deleted += Number((await db.deleteFrom('tokens').where('id', 'in', expired).where('expires_at', '<', before).executeTakeFirst()).numDeletedRows);
    }
    if (rows.length < batchSize) {
      after = 0;
      break;
    }
    after = Number(rows[rows.length - 1]!.id);
    await yieldToRequests();
  }
  walkPositions.set(database, after);
  return deleted;
}

async function deleteRevokedTokens(db: Kysely<Database>, before: number, limit: number): Promise<number> {
  const batch = db.selectFrom('tokens').select('id').where('revoked_at', '<', before).where('consumed_at', 'is', null).limit(limit);
  return Number((await db.deleteFrom('tokens').where('id', 'in', batch).executeTakeFirst()).numDeletedRows);
}

// A family's sign-in matters while any token of the family is left (a refresh returns an id_token with it).
// NOT EXISTS over tokens_family (a partial index on family_id): one index probe per candidate.
async function deleteOrphanSignIns(db: Kysely<Database>, before: number, limit: number): Promise<number> {
  const batch = db
    .selectFrom('sign_ins')
    .select('family_id')
    .where('created_at', '<', before)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('tokens').select('id').whereRef('tokens.family_id', '=', 'sign_ins.family_id'))))
    .limit(limit);
  return Number((await db.deleteFrom('sign_ins').where('family_id', 'in', batch).executeTakeFirst()).numDeletedRows);
}

/** SPEC §9: self-registered apps unused for the TTL, each deleted as the audited change deleteApp (tokens revoked). */
async function deleteUnusedDynamicApps(db: Kysely<Database>, database: OpenedDatabase, before: number, limit: number, now: number): Promise<number> {
  const stale = await db
    .selectFrom('clients')
    .select('client_id')
    .where('registration', 'is not', null)
    .where((eb) => eb(eb.fn.coalesce('last_used_at', 'created_at'), '<', before))
    .limit(limit)
    .execute();
  let deleted = 0;
  for (const { client_id: clientId } of stale) {
    const outcome = await database.stores.audit.commit(
      { kind: 'deleteApp', clientId },
      { at: now, actor: { type: 'cli', id: 'gc' }, action: 'app.delete', target: { type: 'app', id: clientId }, address: null, requestId: null },
    );
    if (outcome.applied) deleted += 1;
  }
  return deleted;
}

async function deleteRefreshAnswers(db: Kysely<Database>, now: number, limit: number): Promise<number> {
  const batch = db.selectFrom('refresh_answers').select('token_id').where('expires_at', '<=', now).limit(limit);
  return Number((await db.deleteFrom('refresh_answers').where('token_id', 'in', batch).executeTakeFirst()).numDeletedRows);
}

async function sweep(db: Kysely<Database>, database: OpenedDatabase, options: Required<GcOptions>): Promise<GcCounts> {
  const before = options.now - GRACE_MS;
  const { batchSize, maxBatches } = options;
  // Refresh grace (SPEC §8): a sealed answer is useless once its window ended (not counted: it is no token).
  await drain(() => deleteRefreshAnswers(db, options.now, batchSize), batchSize, maxBatches);
  return {
    codes: await drain(() => deleteCodes(db, before, batchSize), batchSize, maxBatches),
    expiredTokens: await walkExpiredTokens(db, database, before, batchSize, maxBatches),
    revokedTokens: await drain(() => deleteRevokedTokens(db, before, batchSize), batchSize, maxBatches),
    devices: await drain(() => database.stores.devices.deleteExpired(before, batchSize), batchSize, maxBatches),
    sessionApps: await drain(() => database.stores.sessionApps.deleteSessionAppsBefore(options.now - SESSION_APP_MS, batchSize), batchSize, maxBatches),
    logouts: await drain(() => database.stores.logouts.deleteFinishedLogouts(before, batchSize), batchSize, maxBatches),
    // No grace: an expired jti can no longer be presented (its proof or assertion fails the time check first).
    replays: await drain(() => database.stores.replays.deleteExpired(options.now, batchSize), batchSize, maxBatches),
    // After the token sweeps above: a family whose last token just went loses its sign-in in the same run.
    signIns: await drain(() => deleteOrphanSignIns(db, before, batchSize), batchSize, maxBatches),
    dynamicApps: await drain(() => deleteUnusedDynamicApps(db, database, options.now - options.dynamicClientTtlSeconds * 1000, batchSize, options.now), batchSize, maxBatches),
    registrationTokens: await drain(() => database.stores.registrationTokens.deleteSpentInitialAccessTokens(options.now, batchSize), batchSize, maxBatches),
    pushedRequests: await drain(() => database.stores.pushedRequests.deleteExpiredPushedRequests(before, batchSize), batchSize, maxBatches),
  };
}

/** One cleanup run (also `gatehouse gc`). */
export async function runGc(database: OpenedDatabase, options: GcOptions = {}): Promise<GcResult> {
  const resolved = {
    now: options.now ?? Date.now(),
    batchSize: options.batchSize ?? 1000,
    maxBatches: options.maxBatches ?? 1000,
    dynamicClientTtlSeconds: options.dynamicClientTtlSeconds ?? 2_592_000,
  };
  if (database.dialect === 'sqlite') return { ran: true, counts: await sweep(database.db, database, resolved) };
  // The lock belongs to one PostgreSQL session: hold one pooled connection for the run.
  return database.db.connection().execute(async (connection) => {
    const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_lock(${GC_LOCK_KEY}) as locked`.execute(connection);
    if (rows[0]?.locked !== true) return { ran: false, reason: 'another instance is cleaning up' };
    try {
      return { ran: true, counts: await sweep(connection, database, resolved) };
    } finally {
      await sql`select pg_advisory_unlock(${GC_LOCK_KEY})`.execute(connection);
    }
  });
}

export interface GcSchedule {
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

/**
 * Runs the job every `intervalMs`, the first time after a random part of it
 * (instances started together do not all try at once). The timer does not
 * keep the process alive; a failed run is logged and the next one tries again.
 */
export function scheduleGc(
  database: OpenedDatabase,
  intervalMs: number,
  log: { info(fields: object, message: string): void; error(fields: object, message: string): void },
  options: Pick<GcOptions, 'dynamicClientTtlSeconds'> = {},
): GcSchedule {
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  let timer: NodeJS.Timeout;
  const tick = () => {
    running = runGc(database, options)
      .then((result) => {
        if (result.ran && Object.values(result.counts).some((count) => count > 0)) log.info({ deleted: result.counts }, 'cleanup');
      })
      .catch((error: unknown) => log.error({ err: error }, 'cleanup failed'))
      .finally(() => {
        if (!stopped) arm(intervalMs);
      });
  };
  const arm = (delay: number) => {
    timer = setTimeout(tick, delay);
    timer.unref();
  };
  arm(Math.floor(Math.random() * intervalMs));
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
