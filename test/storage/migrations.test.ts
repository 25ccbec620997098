import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, test } from 'node:test';
import { sql } from 'kysely';
import { migrateToLatest } from '../../src/storage/sql/migrate.js';
import { migrations } from '../../src/storage/sql/migrations/index.js';
import { openDatabase, type OpenedDatabase } from '../../src/storage/sql/connect.js';
import { createTestSchema, PG_SKIP_MESSAGE, PG_URL, type TestSchema } from './pg-schema.js';

const TABLES = ['authorization_codes', 'clients', 'consents', 'scopes', 'settings', 'tokens', 'users'];

/** The migration behaviour every dialect shares; `connect` opens an empty database without migrating it. */
function migrationSuite(name: string, connect: () => Promise<{ db: OpenedDatabase; schema?: string; cleanup(): Promise<void> }>) {
  describe(`${name} migrations`, () => {
    let db: OpenedDatabase;
    let schema: string | undefined;
    let cleanup: () => Promise<void>;
    // Only our own schema's tables: others may share the PostgreSQL database.
    const tables = async () =>
      (await db.db.introspection.getTables()).filter((table) => schema === undefined || table.schema === schema).map((table) => table.name);
    before(async () => {
      ({ db, schema, cleanup } = await connect());
    });
    after(async () => {
      await db.close();
      await cleanup();
    });

    it('migrate an empty database to every table, with basic, email and the OpenID scopes seeded', async () => {
      assert.deepEqual(await tables(), []);
      const result = await migrateToLatest(db.db);
      assert.deepEqual(
        result.results?.map((r) => [r.migrationName, r.status]),
        Object.keys(migrations).map((migration) => [migration, 'Success']),
      );
      const created = await tables();
      for (const table of TABLES) assert.ok(created.includes(table), `${table}: ${created.join(', ')}`);
      assert.deepEqual((await db.stores.scopes.listScopes()).map((scope) => scope.name), ['basic', 'email', 'offline_access', 'openid', 'profile']);
    });

    // Issue 17, round 9: the cleanup walks the primary key for expired tokens (src/jobs/gc.ts), so a
    // token row inserts into no index on expires_at, and a client credentials token (no user, no
    // family, not revoked) into none of the partial ones: nothing but its primary key.
    it('leave the tokens table with partial secondary indexes only, none on expires_at', async () => {
      const names =
        schema === undefined
          ? await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = 'tokens' and sql is not null order by name`.execute(db.db)
          : await sql<{ name: string }>`select indexname as name from pg_indexes where schemaname = ${schema} and tablename = 'tokens' and indexname <> 'tokens_pkey' order by indexname`.execute(db.db);
      assert.deepEqual(names.rows.map((row) => row.name), ['tokens_family', 'tokens_revoked', 'tokens_user_client']);
    });

    it('do nothing when run again, keeping the data', async () => {
      await db.stores.scopes.saveScope({ name: 'netdisk', description: 'Your files' });
      const again = await migrateToLatest(db.db);
      assert.deepEqual(again.results, []);
      assert.deepEqual((await db.stores.scopes.listScopes()).map((scope) => scope.name), ['basic', 'email', 'netdisk', 'offline_access', 'openid', 'profile']);
    });
  });
}

migrationSuite('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-migrate-'));
  const db = await openDatabase(`sqlite:${join(dir, 'empty.db')}`, { migrate: false });
  return { db, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

if (PG_URL === undefined) {
  test('PostgreSQL migrations', (t) => {
    t.diagnostic(PG_SKIP_MESSAGE);
    console.log(PG_SKIP_MESSAGE);
  });
} else {
  const base = PG_URL;
  migrationSuite('PostgreSQL', async () => {
    const schema: TestSchema = await createTestSchema(base);
    const db = await openDatabase(schema.url, { migrate: false });
    return { db, schema: schema.name, cleanup: () => schema.drop() };
  });
}
