/** The first-run setup token's hash, kept in the settings table every instance shares. */
import type { Kysely } from 'kysely';
import type { SetupTokenStore } from '../../core/first-run.js';
import type { Database } from './schema.js';

const NAME = 'setup_token_hash';

export class SqlSetupTokenStore implements SetupTokenStore {
  constructor(private readonly db: Kysely<Database>) {}

  async saveSetupHash(hash: string): Promise<void> {
    await this.db
      .insertInto('settings')
      .values({ name: NAME, value: hash })
      .onConflict((oc) => oc.column('name').doUpdateSet({ value: hash }))
      .execute();
  }

  async findSetupHash(): Promise<string | undefined> {
    const row = await this.db.selectFrom('settings').select('value').where('name', '=', NAME).executeTakeFirst();
    return row?.value;
  }

  async takeSetupHash(hash: string): Promise<boolean> {
    const result = await this.db.deleteFrom('settings').where('name', '=', NAME).where('value', '=', hash).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }
}
