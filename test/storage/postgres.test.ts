import assert from 'node:assert/strict';
import { after, before, describe, it, test } from 'node:test';
import { openDatabase } from '../../src/storage/sql/connect.js';
import { storeContract } from './contract.js';
import { createTestSchema, PG_SKIP_MESSAGE, PG_URL, tablesIn, type TestSchema } from './pg-schema.js';

if (PG_URL === undefined) {
  test('PostgreSQL store contract', (t) => {
    t.diagnostic(PG_SKIP_MESSAGE);
    console.log(PG_SKIP_MESSAGE);
  });
} else {
  const base = PG_URL;
  let schema: TestSchema;
  before(async () => {
    schema = await createTestSchema(base);
  });
  after(async () => {
    await schema.drop();
  });

  storeContract('PostgreSQL', async () => {
    const db = await openDatabase(schema.url);
    // A second pool: rows must be committed before issueTokens resolves for it to see them.
    const peer = await openDatabase(schema.url, { migrate: false });
    return {
      stores: db.stores,
      peer: peer.stores,
      close: async () => {
        await peer.close();
        await db.close();
      },
    };
  });

  describe('PostgreSQL test schema', () => {
    it('holds the migrated tables, so nothing lands in public', async () => {
      const tables = await tablesIn(base, schema.name);
      for (const table of ['authorization_codes', 'clients', 'consents', 'scopes', 'settings', 'tokens', 'users']) {
        assert.ok(tables.includes(table), `${table} in ${schema.name}: ${tables.join(', ')}`);
      }
    });
  });
}
