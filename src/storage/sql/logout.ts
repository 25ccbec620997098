/**
 * Session-apps and the back-channel logout outbox over Kysely, one set of
 * queries for SQLite and PostgreSQL. A claim is one conditional UPDATE over
 * a LIMITed subquery: SQLite runs writes one at a time, and PostgreSQL
 * re-checks the UPDATE's WHERE (state, next_attempt_at) against a row a
 * concurrent claim just committed, so each row has one claimer. Every later
 * step names the claim, so a worker whose claim lapsed cannot overwrite the
 * outcome of the one that took the row over.
 */
import { type Kysely } from 'kysely';
import { nextId } from '../../core/ids.js';
import type { LogoutDelivery, LogoutDeliveryState, LogoutOutbox, NewLogoutDelivery, SessionApp, SessionAppStore } from '../../core/logout.js';
import { randomId } from '../../core/tokens.js';
import type { Database, LogoutOutboxTable, SessionAppsTable } from './schema.js';

const fromSessionRow = (row: SessionAppsTable): SessionApp => ({ sid: row.sid, clientId: row.client_id, uid: row.uid, createdAt: Number(row.created_at) });

export class SqlSessionAppStore implements SessionAppStore {
  constructor(private readonly db: Kysely<Database>) {}

  async recordSessionApp(entry: SessionApp): Promise<void> {
    await this.db
      .insertInto('session_apps')
      .values({ sid: entry.sid, client_id: entry.clientId, uid: entry.uid, created_at: entry.createdAt })
      .onConflict((oc) => oc.columns(['sid', 'client_id']).doNothing())
      .execute();
  }

  async listSessionApps(sid: string): Promise<SessionApp[]> {
    return (await this.db.selectFrom('session_apps').selectAll().where('sid', '=', sid).orderBy('created_at').execute()).map(fromSessionRow);
  }

  async listUserSessionApps(uid: string, clientId?: string): Promise<SessionApp[]> {
    let query = this.db.selectFrom('session_apps').selectAll().where('uid', '=', uid);
    if (clientId !== undefined) query = query.where('client_id', '=', clientId);
    return (await query.orderBy('created_at').execute()).map(fromSessionRow);
  }

  async deleteSessionApps(filter: { sid: string } | { uid: string; clientId?: string }): Promise<number> {
    let query = this.db.deleteFrom('session_apps');
    if ('sid' in filter) query = query.where('sid', '=', filter.sid);
    else {
      query = query.where('uid', '=', filter.uid);
      if (filter.clientId !== undefined) query = query.where('client_id', '=', filter.clientId);
    }
    return Number((await query.executeTakeFirst()).numDeletedRows);
  }

  async deleteSessionAppsBefore(before: number, limit: number): Promise<number> {
    // The key is (sid, client_id): a row-value IN over a LIMITed subquery, one bounded statement.
    const result = await this.db
      .deleteFrom('session_apps')
      .where((eb) =>
        eb(eb.refTuple('sid', 'client_id'), 'in', eb.selectFrom('session_apps').select(['sid', 'client_id']).where('created_at', '<', before).limit(limit).$asTuple('sid', 'client_id')),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

const numOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

function fromOutboxRow(row: LogoutOutboxTable): LogoutDelivery {
  return {
    id: Number(row.id),
    clientId: row.client_id,
    uid: row.uid,
    sid: row.sid,
    state: row.state as LogoutDeliveryState,
    attempts: Number(row.attempts),
    nextAttemptAt: Number(row.next_attempt_at),
    createdAt: Number(row.created_at),
    finishedAt: numOrNull(row.finished_at),
    lastError: row.last_error,
  };
}

/** Ids collide only when two instances draw the same one in the same millisecond. */
const ID_ATTEMPTS = 4;

export class SqlLogoutOutbox implements LogoutOutbox {
  constructor(private readonly db: Kysely<Database>) {}

  async enqueueLogouts(rows: readonly NewLogoutDelivery[], now: number): Promise<void> {
    for (const row of rows) await this.enqueueOne(row, now);
  }

  private async enqueueOne(row: NewLogoutDelivery, now: number): Promise<void> {
    for (let attempt = 0; attempt < ID_ATTEMPTS; attempt++) {
      const result = await this.db
        .insertInto('logout_outbox')
        .values({ id: nextId(now), client_id: row.clientId, uid: row.uid, sid: row.sid, state: 'pending', attempts: 0, next_attempt_at: now, created_at: now, finished_at: null, last_error: null, claim: null })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      if (Number(result.numInsertedOrUpdatedRows ?? 0n) > 0) return;
      // Either this session is already queued for the app (done), or the id collided (draw again).
      if (row.sid !== null) {
        const queued = await this.db.selectFrom('logout_outbox').select('id').where('sid', '=', row.sid).where('client_id', '=', row.clientId).executeTakeFirst();
        if (queued !== undefined) return;
      }
    }
    throw new Error('could not draw a free id for a logout delivery');
  }

  async claimDueLogouts(now: number, leaseMs: number, limit: number): Promise<{ delivery: LogoutDelivery; claim: string }[]> {
    // A read first: an idle outbox (the usual case, polled every second by every instance)
    // costs no write, so it never takes SQLite's write lock from the requests.
    const due = await this.db.selectFrom('logout_outbox').select('id').where('state', '=', 'pending').where('next_attempt_at', '<=', now).orderBy('next_attempt_at').limit(limit).execute();
    if (due.length === 0) return [];
    const claim = randomId(12);
    const ids = due.map((row) => Number(row.id));
    // The conditions again in the UPDATE: of racing claimers, each row goes to the first.
    await this.db
      .updateTable('logout_outbox')
      .set({ claim, next_attempt_at: now + leaseMs })
      .where('id', 'in', ids)
      .where('state', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .execute();
    const rows = await this.db.selectFrom('logout_outbox').selectAll().where('id', 'in', ids).where('claim', '=', claim).where('state', '=', 'pending').orderBy('id').execute();
    return rows.map((row) => ({ delivery: fromOutboxRow(row), claim }));
  }

  private async finish(id: number, claim: string, set: Partial<LogoutOutboxTable>): Promise<boolean> {
    const result = await this.db.updateTable('logout_outbox').set(set).where('id', '=', id).where('claim', '=', claim).where('state', '=', 'pending').executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  markLogoutDelivered(id: number, claim: string, now: number): Promise<boolean> {
    return this.finish(id, claim, { state: 'delivered', finished_at: now, claim: null });
  }

  async retryLogout(id: number, claim: string, nextAttemptAt: number, error: string): Promise<boolean> {
    const result = await this.db
      .updateTable('logout_outbox')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), next_attempt_at: nextAttemptAt, last_error: error.slice(0, 500), claim: null }))
      .where('id', '=', id)
      .where('claim', '=', claim)
      .where('state', '=', 'pending')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async failLogout(id: number, claim: string, now: number, error: string): Promise<boolean> {
    const result = await this.db
      .updateTable('logout_outbox')
      .set((eb) => ({ state: 'failed', attempts: eb('attempts', '+', 1), finished_at: now, last_error: error.slice(0, 500), claim: null }))
      .where('id', '=', id)
      .where('claim', '=', claim)
      .where('state', '=', 'pending')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async findLogout(id: number): Promise<LogoutDelivery | undefined> {
    const row = await this.db.selectFrom('logout_outbox').selectAll().where('id', '=', id).executeTakeFirst();
    return row && fromOutboxRow(row);
  }

  async listLogouts(filter: { clientId?: string; state?: LogoutDeliveryState; limit?: number } = {}): Promise<LogoutDelivery[]> {
    let query = this.db.selectFrom('logout_outbox').selectAll();
    if (filter.clientId !== undefined) query = query.where('client_id', '=', filter.clientId);
    if (filter.state !== undefined) query = query.where('state', '=', filter.state);
    return (await query.orderBy('id', 'desc').limit(filter.limit ?? 100).execute()).map(fromOutboxRow);
  }

  async deleteFinishedLogouts(before: number, limit: number): Promise<number> {
    const batch = this.db.selectFrom('logout_outbox').select('id').where('state', '!=', 'pending').where('finished_at', '<', before).limit(limit);
    return Number((await this.db.deleteFrom('logout_outbox').where('id', 'in', batch).executeTakeFirst()).numDeletedRows);
  }
}
