/**
 * The cleanup job on SQLite and PostgreSQL: what it deletes, what it keeps
 * on purpose (src/jobs/gc.ts), that each statement is bounded, that one
 * instance at a time runs it, and `gatehouse gc`.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import pg from 'pg';
import type { NewToken } from '../../src/core/model.js';
import { hashSecret, mintSecret, randomId } from '../../src/core/tokens.js';
import { GC_LOCK_KEY, GRACE_MS, runGc, scheduleGc } from '../../src/jobs/gc.js';
import { openDatabase, type OpenedDatabase } from '../../src/storage/sql/connect.js';
import { codeFields, makeApp, T0 } from '../helpers/fixtures.js';
import { createTestSchema } from '../storage/pg-schema.js';
import { withPostgres } from '../storage/pg-suite.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const NOW = T0 + 100 * DAY;
const LONG_AGO = NOW - GRACE_MS - DAY;
const RECENTLY = NOW - HOUR;

function token(overrides: Partial<NewToken> = {}): NewToken {
  return {
    kind: 'access',
    secretHash: hashSecret(mintSecret()),
    clientId: 'client-gc',
    uid: 'user-gc',
    scope: ['basic'],
    familyId: null,
    createdAt: T0,
    expiresAt: NOW + DAY,
    jkt: null,
    ...overrides,
  };
}

function gcSuite(name: string, open: () => Promise<{ database: OpenedDatabase; url: string; cleanup(): Promise<void> }>) {
  describe(`cleanup job on ${name}`, () => {
    let database: OpenedDatabase;
    let url: string;
    let cleanup: () => Promise<void>;
    before(async () => {
      ({ database, url, cleanup } = await open());
    });
    after(async () => {
      await database.close();
      await cleanup();
    });

    it('deletes expired and spent rows a day after they stopped mattering, and keeps what replay detection needs', async () => {
      const { codes, tokens, devices } = database.stores;
      const app = makeApp().app;
      const code = async (expiresAt: number, consumed: boolean) => {
        const id = await codes.saveCode({ ...codeFields(app, T0), expiresAt });
        if (consumed) await codes.consumeCode(id, T0 + 1);
        return id;
      };
      const gone = {
        codes: [await code(LONG_AGO, false), await code(LONG_AGO, true)],
        tokens: await tokens.issueTokens([
          token({ expiresAt: LONG_AGO }), // expired access
          token({ kind: 'refresh', expiresAt: LONG_AGO }), // consumed below, then expired
          token(), // revoked long ago
          token({ kind: 'refresh' }), // revoked long ago, never used
        ]),
      };
      await tokens.consumeRefreshToken(gone.tokens[1]!, T0 + 1);
      await tokens.revokeToken(gone.tokens[2]!, LONG_AGO);
      await tokens.revokeToken(gone.tokens[3]!, LONG_AGO);
      const kept = {
        codes: [await code(RECENTLY, true), await code(NOW + 600_000, false)],
        tokens: await tokens.issueTokens([
          token({ expiresAt: RECENTLY }), // expired within the grace day: still says "expired"
          token(), // revoked within the grace day
          token({ kind: 'refresh' }), // used: a replay must still answer expired_token
          token({ kind: 'refresh', familyId: 42 }), // used, then its family revoked long ago: SPEC §3 "always"
          token(), // live
        ]),
      };
      await tokens.revokeToken(kept.tokens[1]!, RECENTLY);
      await tokens.consumeRefreshToken(kept.tokens[2]!, T0 + 1);
      await tokens.consumeRefreshToken(kept.tokens[3]!, T0 + 1);
      await tokens.revokeFamily(42, LONG_AGO);
      const device = async (expiresAt: number) =>
        (await devices.saveDevice({ secretHash: hashSecret(mintSecret()), userCodeHash: hashSecret(randomId(8)), clientId: app.clientId, scope: ['basic'], interval: 5, createdAt: T0, expiresAt }))!;
      const goneDevice = await device(LONG_AGO);
      const keptDevices = [await device(RECENTLY), await device(NOW + 600_000)];
      // Used jti values go as soon as they expire (no grace day).
      await database.stores.replays.firstUse('dpop:expired', NOW - 1, T0);
      await database.stores.replays.firstUse('dpop:live', NOW + 60_000, T0);
      // Sign-ins: family 77 has no token left (gone), family 42 still has one (kept), family 78 is recent (kept).
      const signIn = { authTime: T0, sid: 'sid' };
      await tokens.saveSignIn(77, signIn, LONG_AGO);
      await tokens.saveSignIn(42, signIn, LONG_AGO);
      await tokens.saveSignIn(78, signIn, RECENTLY);

      const result = await runGc(database, { now: NOW });
      assert.deepEqual(result, { ran: true, counts: { codes: 2, expiredTokens: 2, revokedTokens: 2, devices: 1, sessionApps: 0, logouts: 0, replays: 1, signIns: 1, dynamicApps: 0, registrationTokens: 0, pushedRequests: 0 } });
      assert.equal(await database.stores.replays.firstUse('dpop:live', NOW + 60_000, NOW), false, 'a live jti is kept');
      assert.equal(await tokens.findSignIn(77), undefined);
      assert.deepEqual([await tokens.findSignIn(42), await tokens.findSignIn(78)], [signIn, signIn]);
      for (const id of gone.codes) assert.equal(await codes.findCode(id), undefined);
      for (const id of gone.tokens) assert.equal(await tokens.findToken(id), undefined);
      assert.equal(await devices.findDevice(goneDevice), undefined);
      for (const id of kept.codes) assert.ok(await codes.findCode(id), `code ${id} kept`);
      for (const id of kept.tokens) assert.ok(await tokens.findToken(id), `token ${id} kept`);
      for (const id of keptDevices) assert.ok(await devices.findDevice(id), `device ${id} kept`);
      assert.deepEqual(await runGc(database, { now: NOW }), { ran: true, counts: { codes: 0, expiredTokens: 0, revokedTokens: 0, devices: 0, sessionApps: 0, logouts: 0, replays: 0, signIns: 0, dynamicApps: 0, registrationTokens: 0, pushedRequests: 0 } });
    });

    it('deletes refresh-grace answers whose window ended, and keeps a live one (SPEC §8)', async () => {
      const { tokens } = database.stores;
      const [ended, live] = [Number(`9${Date.now()}1`), Number(`9${Date.now()}2`)];
      await tokens.saveRefreshAnswer(ended, 'v1.ended', NOW - 1);
      await tokens.saveRefreshAnswer(live, 'v1.live', NOW + 30_000);
      await runGc(database, { now: NOW });
      const left = await database.db.selectFrom('refresh_answers').select('token_id').where('token_id', 'in', [ended, live]).execute();
      assert.deepEqual(left.map((row) => Number(row.token_id)), [live]);
      assert.equal(await tokens.findRefreshAnswer(live, NOW), 'v1.live');
    });

    // The expiry walk reads batchSize rows per statement in primary-key order, takes at most
    // maxBatches steps per run, and the next run goes on from there (tokens.expires_at has no index).
    // Each case opens a database of its own, so that the walk's position starts at the first row.
    const walk = async (rows: Partial<NewToken>[], runs: number, options: { batchSize: number; maxBatches: number }) => {
      const fresh = await open();
      try {
        const ids = await fresh.database.stores.tokens.issueTokens(rows.map((row) => token(row)));
        const counts: number[] = [];
        for (let run = 0; run < runs; run += 1) {
          const result = await runGc(fresh.database, { now: NOW, ...options });
          assert.ok(result.ran);
          counts.push(result.counts.expiredTokens);
        }
        const left: number[] = [];
        for (const id of ids) if ((await fresh.database.stores.tokens.findToken(id)) !== undefined) left.push(ids.indexOf(id));
        return { counts, left };
      } finally {
        await fresh.database.close();
        await fresh.cleanup();
      }
    };

    it('deletes in statements of batchSize rows and stops after maxBatches, leaving the rest to the next run', async () => {
      const expired = Array.from({ length: 10 }, () => ({ expiresAt: LONG_AGO }));
      assert.deepEqual(await walk(expired, 3, { batchSize: 3, maxBatches: 2 }), { counts: [6, 4, 0], left: [] });
    });

    it('walks past live tokens from where the last run stopped, and starts again at the first row after the last', async () => {
      // Rows 0-3 live, 4-6 expired: two rows per run, so the third run reaches the expired ones.
      const rows = [{}, {}, {}, {}, { expiresAt: LONG_AGO }, { expiresAt: LONG_AGO }, { expiresAt: LONG_AGO }];
      assert.deepEqual(await walk(rows, 5, { batchSize: 2, maxBatches: 1 }), { counts: [0, 0, 2, 1, 0], left: [0, 1, 2, 3] });
    });

    it('runs on a timer until stopped', async () => {
      const [id] = await database.stores.tokens.issueTokens([token({ createdAt: Date.now() - 3 * DAY, expiresAt: Date.now() - 2 * DAY })]);
      const schedule = scheduleGc(database, 20, { info: () => {}, error: (fields) => assert.fail(JSON.stringify(fields)) });
      for (let i = 0; i < 100 && (await database.stores.tokens.findToken(id!)) !== undefined; i += 1) await sleep(20);
      await schedule.stop();
      assert.equal(await database.stores.tokens.findToken(id!), undefined);
    });

    it('`gatehouse gc --json` runs it once and prints the counts', async () => {
      await database.stores.tokens.issueTokens([token({ createdAt: Date.now() - 3 * DAY, expiresAt: Date.now() - 2 * DAY })]);
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../../src/cli.ts'), 'gc', '--json', '--database', url]);
      assert.deepEqual(JSON.parse(stdout), { ran: true, deleted: { codes: 0, expiredTokens: 1, revokedTokens: 0, devices: 0, sessionApps: 0, logouts: 0, replays: 0, signIns: 0, dynamicApps: 0, registrationTokens: 0, pushedRequests: 0 } });
    });

    if (name === 'PostgreSQL') {
      it('skips the round while another instance holds the cleanup lock', async () => {
        await database.stores.tokens.issueTokens([token({ expiresAt: LONG_AGO })]);
        const other = new pg.Client({ connectionString: url });
        await other.connect();
        try {
          await other.query('select pg_advisory_lock($1)', [GC_LOCK_KEY]);
          assert.deepEqual(await runGc(database, { now: NOW }), { ran: false, reason: 'another instance is cleaning up' });
          await other.query('select pg_advisory_unlock($1)', [GC_LOCK_KEY]);
          const after = await runGc(database, { now: NOW });
          assert.ok(after.ran && after.counts.expiredTokens === 1);
        } finally {
          await other.end();
        }
      });
    }
  });
}

gcSuite('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-gc-'));
  const url = `sqlite:${join(dir, 'gc.db')}`;
  return { database: await openDatabase(url), url, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

withPostgres('cleanup job on PostgreSQL', (base) => {
  gcSuite('PostgreSQL', async () => {
    const schema = await createTestSchema(base);
    return { database: await openDatabase(schema.url), url: schema.url, cleanup: () => schema.drop() };
  });
});
