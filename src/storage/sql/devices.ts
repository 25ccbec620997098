/**
 * Device authorizations over Kysely, one set of queries for SQLite and
 * PostgreSQL. Every decision is one conditional UPDATE, so concurrent polls or
 * approvals (on one instance or many) have exactly one winner: SQLite runs
 * writes one at a time, and PostgreSQL re-checks an UPDATE's WHERE against the
 * row a concurrent UPDATE just committed.
 */
import { sql, type Kysely } from 'kysely';
import { nextId } from '../../core/ids.js';
import type { DeviceAuthorization, DeviceStatus, NewDeviceAuthorization, SignInContext } from '../../core/model.js';
import type { DeviceStore } from '../../core/ports.js';
import { resourcesFromColumn, resourcesToColumn, signInFromColumn, signInToColumn } from './rows.js';
import type { Database, DeviceCodesTable } from './schema.js';

const numOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

function deviceFromRow(row: DeviceCodesTable): DeviceAuthorization {
  return {
    id: Number(row.id),
    secretHash: row.secret_hash,
    userCodeHash: row.user_code_hash,
    clientId: row.client_id,
    scope: row.scope === '' ? [] : row.scope.split(' '),
    status: row.status as DeviceStatus,
    uid: row.uid,
    interval: Number(row.poll_interval),
    lastPollAt: numOrNull(row.last_poll_at),
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    consumedAt: numOrNull(row.consumed_at),
    signIn: signInFromColumn(row.sign_in),
    ...resourcesFromColumn(row.resources),
  };
}

/** Ids collide only when two instances draw the same one in the same millisecond; a few draws are plenty. */
const ID_ATTEMPTS = 4;

export class SqlDeviceStore implements DeviceStore {
  constructor(private readonly db: Kysely<Database>) {}

  async saveDevice(device: NewDeviceAuthorization): Promise<number | undefined> {
    for (let attempt = 0; attempt < ID_ATTEMPTS; attempt++) {
      const id = nextId(device.createdAt);
      const result = await this.db
        .insertInto('device_codes')
        .values({
          id,
          secret_hash: device.secretHash,
          user_code_hash: device.userCodeHash,
          client_id: device.clientId,
          scope: device.scope.join(' '),
          status: 'pending',
          uid: null,
          poll_interval: device.interval,
          last_poll_at: null,
          created_at: device.createdAt,
          expires_at: device.expiresAt,
          consumed_at: null,
          sign_in: null,
          resources: resourcesToColumn(device.resources),
        })
        // Either key may collide: the id (draw again) or the user code (the caller draws a new code).
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      if (Number(result.numInsertedOrUpdatedRows ?? 0n) > 0) return id;
      if (await this.findDeviceByUserCode(device.userCodeHash)) return undefined;
    }
    throw new Error('could not draw a free device authorization id');
  }

  async findDevice(id: number): Promise<DeviceAuthorization | undefined> {
    const row = await this.db.selectFrom('device_codes').selectAll().where('id', '=', id).executeTakeFirst();
    return row && deviceFromRow(row);
  }

  async findDeviceByUserCode(userCodeHash: string): Promise<DeviceAuthorization | undefined> {
    const row = await this.db.selectFrom('device_codes').selectAll().where('user_code_hash', '=', userCodeHash).executeTakeFirst();
    return row && deviceFromRow(row);
  }

  async decideDevice(id: number, decision: 'approved' | 'denied', uid: string, now: number, signIn: SignInContext | null = null): Promise<boolean> {
    const result = await this.db
      .updateTable('device_codes')
      .set({ status: decision, uid, sign_in: signInToColumn(signIn) })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where('consumed_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async recordPoll(id: number, now: number, slowDownSeconds: number): Promise<{ passed: true } | { passed: false; interval: number }> {
    // RFC 8628 §3.5, enforced: one conditional UPDATE decides, so of racing polls at most one passes.
    const passed = await this.db
      .updateTable('device_codes')
      .set({ last_poll_at: now })
      .where('id', '=', id)
      .where(sql<boolean>`(last_poll_at is null or last_poll_at + poll_interval * 1000 <= ${now})`)
      .executeTakeFirst();
    if (Number(passed.numUpdatedRows) === 1) return { passed: true };
    // Too soon: this poll still counts as the previous one, and the interval grows (slow_down).
    const slowed = await this.db
      .updateTable('device_codes')
      .set({ last_poll_at: now, poll_interval: sql<number>`poll_interval + ${slowDownSeconds}` })
      .where('id', '=', id)
      .returning('poll_interval')
      .executeTakeFirst();
    return { passed: false, interval: slowed === undefined ? 0 : Number(slowed.poll_interval) };
  }

  async consumeDevice(id: number, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('device_codes')
      .set({ consumed_at: now })
      .where('id', '=', id)
      .where('status', '=', 'approved')
      .where('consumed_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async deleteExpired(now: number, limit: number): Promise<number> {
    // A bounded batch (IN over a LIMITed subquery works in both dialects), so a long backlog never holds a long lock.
    const expired = this.db.selectFrom('device_codes').select('id').where('expires_at', '<=', now).orderBy('expires_at').limit(limit);
    const result = await this.db.deleteFrom('device_codes').where('id', 'in', expired).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
