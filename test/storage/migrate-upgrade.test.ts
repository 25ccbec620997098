/**
 * Upgrading a database that holds data: migrate to the migration before the
 * last, write rows as the previous version did (only columns the early
 * migrations made, so this stays valid as migrations are added), migrate to
 * the latest, and read every row back through today's stores.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hashSecret } from '../../src/core/tokens.js';
import { openDatabase, type OpenedDatabase } from '../../src/storage/sql/connect.js';
import { migrateToLatest } from '../../src/storage/sql/migrate.js';
import { migrations } from '../../src/storage/sql/migrations/index.js';
import { T0 } from '../helpers/fixtures.js';
import { createTestSchema } from './pg-schema.js';
import { withPostgres } from './pg-suite.js';

const names = Object.keys(migrations);
const previous = Object.fromEntries(Object.entries(migrations).slice(0, -1));
const DAY = 86_400_000;

function upgradeSuite(name: string, open: () => Promise<{ database: OpenedDatabase; cleanup(): Promise<void> }>) {
  describe(`${name}: upgrading a database that holds data`, () => {
    let database: OpenedDatabase;
    let cleanup: () => Promise<void>;
    before(async () => {
      ({ database, cleanup } = await open());
    });
    after(async () => {
      await database.close();
      await cleanup();
    });

    it(`applies ${names.at(-1)} over ${names.at(-2)} and keeps every row`, async () => {
      const db = database.db as unknown as { insertInto(table: string): any };
      const first = await migrateToLatest(database.db, previous);
      assert.deepEqual(first.results?.map((r) => r.migrationName), names.slice(0, -1));

      await db.insertInto('users').values({ uid: 'u1', username: 'alice', password_hash: 'scrypt$x', created_at: T0 }).execute();
      await db.insertInto('scopes').values({ name: 'netdisk', description: 'Your files' }).execute();
      await db
        .insertInto('clients')
        .values({
          client_id: 'app1', secret_hash: hashSecret('s'), name: 'Old app', root_domain: 'example.com', redirect_uris: '["https://a.example.com/cb"]',
          grant_types: 'authorization_code refresh_token', response_types: 'code', scopes: 'basic netdisk', is_public: 0, is_resource_server: 0,
          disabled: 0, owner_uid: null, created_at: T0, updated_at: T0,
        })
        .execute();
      await db.insertInto('consents').values({ uid: 'u1', client_id: 'app1', scope: 'basic netdisk', updated_at: T0 }).execute();
      await db
        .insertInto('authorization_codes')
        .values({
          id: 1001, secret_hash: hashSecret('c'), client_id: 'app1', uid: 'u1', redirect_uri: 'https://a.example.com/cb', scope: 'basic',
          code_challenge: null, code_challenge_method: null, family_id: 1001, created_at: T0, expires_at: T0 + 600_000, consumed_at: T0 + 1,
        })
        .execute();
      await db
        .insertInto('tokens')
        .values([
          { id: 2001, kind: 'access', secret_hash: hashSecret('a'), client_id: 'app1', uid: 'u1', scope: 'basic', family_id: 1001, created_at: T0, expires_at: T0 + 30 * DAY },
          { id: 2002, kind: 'refresh', secret_hash: hashSecret('r'), client_id: 'app1', uid: 'u1', scope: 'basic', family_id: 1001, created_at: T0, expires_at: T0 + 3650 * DAY },
        ])
        .execute();

      const second = await migrateToLatest(database.db);
      assert.deepEqual(second.results?.map((r) => [r.migrationName, r.status]), [[names.at(-1), 'Success']]);

      const { stores } = database;
      assert.equal((await stores.users.findUserByUid('u1'))?.username, 'alice');
      assert.ok((await stores.scopes.listScopes()).some((scope) => scope.name === 'netdisk'));
      const app = await stores.apps.findApp('app1');
      assert.deepEqual([app?.name, app?.redirectUris, app?.grantTypes, app?.scopes], ['Old app', ['https://a.example.com/cb'], ['authorization_code', 'refresh_token'], ['basic', 'netdisk']]);
      assert.deepEqual(await stores.consents.findConsent('u1', 'app1'), { uid: 'u1', clientId: 'app1', scope: ['basic', 'netdisk'] });
      const code = await stores.codes.findCode(1001);
      assert.deepEqual([code?.uid, code?.consumedAt, code?.familyId], ['u1', T0 + 1, 1001]);
      const access = await stores.tokens.findToken(2001);
      const refresh = await stores.tokens.findToken(2002);
      assert.deepEqual([access?.kind, access?.expiresAt, access?.revokedAt], ['access', T0 + 30 * DAY, null]);
      assert.deepEqual([refresh?.kind, refresh?.familyId, refresh?.consumedAt], ['refresh', 1001, null]);
      // And the upgraded rows still behave: the refresh token is consumed exactly once.
      assert.equal(await stores.tokens.consumeRefreshToken(2002, T0 + 5), true);
      assert.equal(await stores.tokens.consumeRefreshToken(2002, T0 + 6), false);
    });
  });
}

upgradeSuite('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-upgrade-'));
  return { database: await openDatabase(`sqlite:${join(dir, 'old.db')}`, { migrate: false }), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

withPostgres('PostgreSQL: upgrading a database that holds data', (base) => {
  upgradeSuite('PostgreSQL', async () => {
    const schema = await createTestSchema(base);
    return { database: await openDatabase(schema.url, { migrate: false }), cleanup: () => schema.drop() };
  });
});
