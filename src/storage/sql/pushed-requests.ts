/** Pushed authorization requests (RFC 9126) in SQLite and PostgreSQL: single use is one conditional UPDATE. */
import type { Kysely } from 'kysely';
import type { NewPushedRequest, PushedRequest, PushedRequestStore } from '../../core/pushed-requests.js';
import type { Database, PushedRequestsTable } from './schema.js';

const fromRow = (row: PushedRequestsTable): PushedRequest => ({
  id: Number(row.id),
  secretHash: row.secret_hash,
  clientId: row.client_id,
  params: JSON.parse(row.params) as PushedRequest['params'],
  createdAt: Number(row.created_at),
  expiresAt: Number(row.expires_at),
  consumedAt: row.consumed_at === null ? null : Number(row.consumed_at),
});

export class SqlPushedRequestStore implements PushedRequestStore {
  constructor(private readonly db: Kysely<Database>) {}

  async savePushedRequest(request: NewPushedRequest): Promise<void> {
    await this.db
      .insertInto('pushed_requests')
      .values({
        id: request.id,
        secret_hash: request.secretHash,
        client_id: request.clientId,
        params: JSON.stringify(request.params),
        created_at: request.createdAt,
        expires_at: request.expiresAt,
        consumed_at: null,
      })
      .execute();
  }

  async findPushedRequest(id: number): Promise<PushedRequest | undefined> {
    const row = await this.db.selectFrom('pushed_requests').selectAll().where('id', '=', id).executeTakeFirst();
    return row && fromRow(row);
  }

  async consumePushedRequest(id: number, now: number): Promise<boolean> {
    const result = await this.db.updateTable('pushed_requests').set({ consumed_at: now }).where('id', '=', id).where('consumed_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async deleteExpiredPushedRequests(now: number, limit: number): Promise<number> {
    const ids = this.db.selectFrom('pushed_requests').select('id').where('expires_at', '<=', now).limit(limit);
    const result = await this.db.deleteFrom('pushed_requests').where('id', 'in', ids).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
