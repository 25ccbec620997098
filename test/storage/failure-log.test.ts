import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, test } from 'node:test';
import type { FailureRecord } from '../../src/core/failures.js';
import { openDatabase, type OpenedDatabase } from '../../src/storage/sql/connect.js';
import { PER_APP, SqlFailureLog } from '../../src/storage/sql/failure-log.js';
import { makeApp } from '../helpers/fixtures.js';
import { createTestSchema, PG_SKIP_MESSAGE, PG_URL, type TestSchema } from './pg-schema.js';

function failure(clientId: string, n: number): FailureRecord {
  return { clientId, endpoint: 'token', code: 'invalid_grant', description: `failure ${n}`, detail: `detail ${n}`, at: 1_000 + n, requestId: `req${n}` };
}

/** The console's recent failures in SQL: newest first, bounded per app, only for apps that exist. */
function failureLogSuite(name: string, open: () => Promise<{ db: OpenedDatabase; cleanup(): Promise<void> }>) {
  describe(`${name} recent failures`, () => {
    let db: OpenedDatabase;
    let cleanup: () => Promise<void>;
    before(async () => {
      ({ db, cleanup } = await open());
    });
    after(async () => {
      await db.close();
      await cleanup();
    });

    it(`keeps the newest ${PER_APP} of each app, newest first, and nothing of another app`, async () => {
      const { app } = makeApp();
      const { app: other } = makeApp();
      await db.stores.apps.createApp(app);
      await db.stores.apps.createApp(other);
      const log = new SqlFailureLog(db.db, db.stores.apps);
      for (let n = 1; n <= PER_APP + 5; n++) log.record(failure(app.clientId, n));
      log.record(failure(other.clientId, 0));
      const recent = await log.recent(app.clientId);
      assert.equal(recent.length, PER_APP);
      assert.deepEqual(recent[0], failure(app.clientId, PER_APP + 5));
      assert.equal(recent.at(-1)!.description, 'failure 6');
      const rows = await db.db.selectFrom('recent_failures' as never).select((eb) => eb.fn.countAll<number>().as('n')).where('client_id' as never, '=', app.clientId as never).executeTakeFirstOrThrow();
      assert.equal(Number((rows as { n: number }).n), PER_APP, 'older rows are deleted, not just hidden');
      assert.deepEqual((await log.recent(other.clientId)).map((f) => f.description), ['failure 0']);
    });

    it('records nothing for a client_id that is no app (an attacker picks those)', async () => {
      const log = new SqlFailureLog(db.db, db.stores.apps);
      log.record(failure('no-such-app', 1));
      await log.flush();
      assert.deepEqual(await log.recent('no-such-app'), []);
    });

    it('is read by another instance on the same database', async () => {
      const { app } = makeApp();
      await db.stores.apps.createApp(app);
      const writer = new SqlFailureLog(db.db, db.stores.apps);
      writer.record(failure(app.clientId, 7));
      await writer.flush();
      const reader = new SqlFailureLog(db.db, db.stores.apps);
      assert.deepEqual(await reader.recent(app.clientId), [failure(app.clientId, 7)]);
    });
  });
}

failureLogSuite('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-failures-'));
  const db = await openDatabase(`sqlite:${join(dir, 'g.db')}`);
  return { db, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

if (PG_URL === undefined) {
  test('PostgreSQL recent failures', () => {
    console.log(PG_SKIP_MESSAGE);
  });
} else {
  const base = PG_URL;
  let schema: TestSchema;
  failureLogSuite('PostgreSQL', async () => {
    schema = await createTestSchema(base);
    const db = await openDatabase(schema.url, { poolSize: 2 });
    return { db, cleanup: () => schema.drop() };
  });
}
