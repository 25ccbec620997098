import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * A value every instance sharing the database agrees on (the cookie signing
 * key): read it, or create it once; the first writer wins a race.
 */
export async function getOrCreateSetting(db: Kysely<Database>, name: string, make: () => string): Promise<string> {
  await db
    .insertInto('settings')
    .values({ name, value: make() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('settings').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return row.value;
}
