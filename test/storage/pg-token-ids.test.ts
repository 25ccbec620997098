/**
 * Two instances may draw the same token id in one millisecond (src/core/ids.ts):
 * the insert skips a taken id and says which rows went in, so that the store
 * draws again for the others. One process never draws the same id twice, so
 * the prepared insert is driven directly.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { nextId } from '../../src/core/ids.js';
import { openDatabase, type OpenedDatabase } from '../../src/storage/sql/connect.js';
import { PgTokenStore } from '../../src/storage/sql/pg-tokens.js';
import { tokenToRow, type NewTokenRow } from '../../src/storage/sql/rows.js';
import type { Database } from '../../src/storage/sql/schema.js';
import { withPostgres } from './pg-suite.js';
import { createTestSchema, type TestSchema } from './pg-schema.js';

class PreparedProbe extends PgTokenStore {
  insert(rows: NewTokenRow[]): Promise<number[]> {
    return this.insertRows(rows);
  }
}

const T0 = Date.UTC(2026, 11, 1);

function row(id: number, jkt: string | null = null): NewTokenRow {
  return tokenToRow(id, {
    kind: 'access',
    secretHash: `hash-${id}`,
    clientId: 'ids-app',
    uid: null,
    scope: ['basic'],
    familyId: null,
    createdAt: T0,
    expiresAt: T0 + 3_600_000,
    jkt,
    audience: ['https://api.example.com/'],
  });
}

withPostgres('PostgreSQL token ids', (base) => {
  describe('PostgreSQL token ids', () => {
    let schema: TestSchema;
    let opened: OpenedDatabase;
    let pool: pg.Pool;
    let db: Kysely<Database>;
    before(async () => {
      schema = await createTestSchema(base);
      opened = await openDatabase(schema.url);
      pool = new pg.Pool({ connectionString: schema.url, max: 2 });
      db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    });
    after(async () => {
      await db.destroy();
      await opened.close();
      await schema.drop();
    });

    it('skips an id another instance took and returns only the ids it inserted', async () => {
      const store = new PreparedProbe(db, pool);
      const taken = nextId(T0);
      assert.deepEqual(await store.insert([row(taken)]), [taken]);
      const fresh = [nextId(T0), nextId(T0)];
      const inserted = await store.insert([row(fresh[0]!, 'jkt-a'), row(taken, 'jkt-other'), row(fresh[1]!)]);
      assert.deepEqual([...inserted].sort((a, b) => a - b), fresh);
      // The taken row is the first instance's, untouched; the others read back whole.
      assert.equal((await opened.stores.tokens.findToken(taken))?.jkt, null);
      const first = await opened.stores.tokens.findToken(fresh[0]!);
      assert.equal(first?.jkt, 'jkt-a');
      assert.deepEqual(first?.audience, ['https://api.example.com/']);
      assert.deepEqual(first?.scope, ['basic']);
    });
  });
});
