/**
 * Registration across instances: the per-address limit shared through Redis
 * (SPEC §9 with GATEHOUSE_REDIS_URL), and registration, RFC 7592 and the
 * cleanup of unused self-registered apps on PostgreSQL.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { runGc } from '../../src/jobs/gc.js';
import { openDatabase } from '../../src/storage/sql/connect.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { createTestSchema, type TestSchema } from '../storage/pg-schema.js';
import { withPostgres } from '../storage/pg-suite.js';
import { withRedis } from '../storage/redis-suite.js';
import { assertError, call, PUBLIC_CLIENT, register } from './helpers.js';

withRedis('registration limit shared through Redis', (redisUrl) => {
  describe('two instances sharing Redis', () => {
    let a: TestServer;
    let b: TestServer;
    before(async () => {
      // One prefix for this run: the two instances share it, nothing else does.
      const env = { GATEHOUSE_REGISTRATION: 'open', GATEHOUSE_REGISTRATION_RATE: '3', GATEHOUSE_REDIS_URL: redisUrl, GATEHOUSE_REDIS_PREFIX: `gatehouse-test:${randomBytes(6).toString('hex')}:` };
      a = await startServer({ env });
      b = await startServer({ env });
    });
    after(async () => {
      await a.close();
      await b.close();
    });

    test('registrations from one address count on both: the 4th, wherever it lands, gets 429', async () => {
      assert.equal((await register(a.url, PUBLIC_CLIENT)).status, 201);
      assert.equal((await register(b.url, PUBLIC_CLIENT)).status, 201);
      assert.equal((await register(a.url, PUBLIC_CLIENT)).status, 201);
      assertError(await register(b.url, PUBLIC_CLIENT), 429, 'invalid_request', /too many registrations/);
      assertError(await register(a.url, PUBLIC_CLIENT), 429, 'invalid_request', /too many registrations/);
    });
  });
});

withPostgres('registration on PostgreSQL', (base) => {
  describe('registration on PostgreSQL', () => {
    let schema: TestSchema;
    let server: TestServer;
    before(async () => {
      schema = await createTestSchema(base);
      server = await startServer({ databaseUrl: schema.url, env: { GATEHOUSE_REGISTRATION: 'open' } });
    });
    after(async () => {
      await server.close();
      await schema.drop();
    });

    test('register, read, replace; the cleanup deletes the unused app and revokes its tokens', async () => {
      const made = (await register(server.url, { grant_types: ['client_credentials'], client_name: 'pg app' })).body;
      const uri = made['registration_client_uri'] as string;
      const token = made['registration_access_token'] as string;
      assert.equal((await call(uri, { token })).body['client_name'], 'pg app');
      const replaced = await call(uri, { method: 'PUT', token, json: { client_id: made['client_id'], grant_types: ['client_credentials'], client_name: 'renamed' } });
      assert.equal(replaced.status, 200, JSON.stringify(replaced.body));
      const kept = (await register(server.url, { grant_types: ['client_credentials'] })).body;

      const now = Date.now() + 40 * 86_400_000;
      await server.instance.services.stores.apps.updateApp(kept['client_id'] as string, { lastUsedAt: now - 1000 });
      const database = await openDatabase(schema.url, { migrate: false });
      try {
        const result = await runGc(database, { now });
        assert.equal(result.ran && result.counts.dynamicApps, 1);
      } finally {
        await database.close();
      }
      assert.equal((await call(uri, { token })).status, 401);
      assert.ok(await server.instance.services.stores.apps.findApp(kept['client_id'] as string));
    });
  });
});
