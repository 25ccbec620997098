/** Initial access tokens over SQL (core/initial-access-tokens.ts): a use is one guarded UPDATE. */
import type { Kysely } from 'kysely';
import { nextId } from '../../core/ids.js';
import type { InitialAccessToken, InitialAccessTokenStore } from '../../core/initial-access-tokens.js';
import type { Database } from './schema.js';

export class SqlInitialAccessTokenStore implements InitialAccessTokenStore {
  constructor(private readonly db: Kysely<Database>) {}

  async saveInitialAccessToken(token: Omit<InitialAccessToken, 'id'>): Promise<number> {
    const id = nextId(token.createdAt);
    await this.db
      .insertInto('registration_tokens')
      .values({ id, secret_hash: token.secretHash, uses_left: token.usesLeft, expires_at: token.expiresAt, created_at: token.createdAt })
      .execute();
    return id;
  }

  async findInitialAccessToken(id: number): Promise<InitialAccessToken | undefined> {
    const row = await this.db.selectFrom('registration_tokens').selectAll().where('id', '=', id).executeTakeFirst();
    if (row === undefined) return undefined;
    return { id: Number(row.id), secretHash: row.secret_hash, usesLeft: Number(row.uses_left), expiresAt: Number(row.expires_at), createdAt: Number(row.created_at) };
  }

  async useInitialAccessToken(id: number, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('registration_tokens')
      .set((eb) => ({ uses_left: eb('uses_left', '-', 1) }))
      .where('id', '=', id)
      .where('uses_left', '>', 0)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async deleteSpentInitialAccessTokens(now: number, limit: number): Promise<number> {
    const batch = this.db
      .selectFrom('registration_tokens')
      .select('id')
      .where((eb) => eb.or([eb('uses_left', '<=', 0), eb('expires_at', '<=', now)]))
      .limit(limit);
    return Number((await this.db.deleteFrom('registration_tokens').where('id', 'in', batch).executeTakeFirst()).numDeletedRows);
  }
}
