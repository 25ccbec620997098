import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { SqliteTurnWriter } from '../../src/storage/sql/sqlite-turn-writer.js';

describe('SqliteTurnWriter: one transaction per turn', () => {
  let dir: string;
  let raw: BetterSqlite3.Database;
  let peer: BetterSqlite3.Database;
  let writer: SqliteTurnWriter;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-writer-'));
    raw = new BetterSqlite3(join(dir, 'w.db'));
    raw.pragma('journal_mode = WAL');
    raw.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    peer = new BetterSqlite3(join(dir, 'w.db'));
    writer = new SqliteTurnWriter(raw);
  });
  after(() => {
    raw.close();
    peer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const insert = (id: number, v: string | null) => () => raw.prepare('INSERT INTO t (id, v) VALUES (?, ?)').run(id, v).changes;
  const count = () => (peer.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n;

  test('commits the writes of one turn together, each caller answered after the commit', async () => {
    const before = count();
    const results = await Promise.all([writer.write(insert(1, 'a')), writer.write(insert(2, 'b')), writer.write(insert(3, 'c'))]);
    assert.deepEqual(results, [1, 1, 1]);
    assert.equal(count(), before + 3, 'another connection sees every row once the promises settle');
  });

  test("a failing write fails alone: the turn's other writes commit", async () => {
    const before = count();
    const outcomes = await Promise.allSettled([writer.write(insert(10, 'x')), writer.write(insert(11, null)), writer.write(insert(12, 'y'))]);
    assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.match(String((outcomes[1] as PromiseRejectedResult).reason), /NOT NULL/);
    assert.equal(count(), before + 2);
  });

  test('a write of several rows made atomic (a nested transaction) that fails halfway leaves none of them', async () => {
    const before = count();
    const pair = raw.transaction(() => [insert(20, 'p')(), insert(21, null)()]);
    await assert.rejects(writer.write(() => pair()), /NOT NULL/);
    assert.equal(count(), before);
    assert.equal(peer.prepare('SELECT v FROM t WHERE id = 20').get(), undefined);
  });

  test('decide answers at once inside the open transaction; a peer sees it only with the turn commit', async () => {
    const before = count();
    assert.equal(writer.decide(insert(40, 'decided')), 1);
    assert.equal(count(), before, 'not committed yet');
    const id = await writer.write(insert(41, 'with it'));
    assert.equal(id, 1);
    assert.equal(count(), before + 2, 'both committed together');
  });

  test('a decided single use has exactly one winner within a turn', async () => {
    raw.exec('CREATE TABLE IF NOT EXISTS codes (id INTEGER PRIMARY KEY, used INTEGER)');
    raw.prepare('INSERT INTO codes (id, used) VALUES (1, NULL)').run();
    const consume = () => raw.prepare('UPDATE codes SET used = 1 WHERE id = 1 AND used IS NULL').run().changes === 1;
    const results = Array.from({ length: 10 }, () => writer.decide(consume));
    assert.deepEqual(results.filter(Boolean).length, 1);
    await writer.write(() => 0);
    assert.equal((peer.prepare('SELECT used FROM codes WHERE id = 1').get() as { used: number }).used, 1);
  });

  test('when SQLite rolls the whole transaction back (disk full), every caller of the turn gets SQLITE_FULL', async () => {
    const pages = (raw.pragma('page_count', { simple: true }) as number) + 1;
    raw.pragma(`max_page_count = ${pages}`);
    try {
      const big = 'z'.repeat(5000);
      const outcomes = await Promise.allSettled([writer.write(insert(30, 'small')), writer.write(insert(31, big)), writer.write(insert(32, big))]);
      for (const outcome of outcomes) {
        assert.equal(outcome.status, 'rejected');
        assert.equal((outcome as PromiseRejectedResult).reason.code, 'SQLITE_FULL');
      }
      assert.equal(peer.prepare('SELECT v FROM t WHERE id = 30').get(), undefined, 'nothing of the turn was written');
    } finally {
      raw.pragma('max_page_count = 1073741823');
    }
    assert.equal(await writer.write(insert(33, 'after')), 1);
  });
});

describe('SqliteTokenStore: ids drawn again on a collision', () => {
  test('a pair whose id another process already used is written whole under new ids, never half', async () => {
    const { openDatabase } = await import('../../src/storage/sql/connect.js');
    const { SqliteTokenStore } = await import('../../src/storage/sql/sqlite-tokens.js');
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-collide-'));
    const database = await openDatabase(`sqlite:${join(dir, 'g.db')}`);
    try {
      const raw = new BetterSqlite3(join(dir, 'g.db'));
      const draws = [500, 501, 600, 601];
      const store = new SqliteTokenStore(raw, new SqliteTurnWriter(raw), () => draws.shift()!);
      const token = { kind: 'access' as const, secretHash: 'h', clientId: 'c', uid: null, scope: ['basic'], familyId: null, createdAt: 1, expiresAt: 2, jkt: null };
      // Another process already holds id 501.
      raw.prepare("INSERT INTO tokens (id, kind, secret_hash, client_id, scope, created_at, expires_at) VALUES (501, 'access', 'x', 'other', 'basic', 1, 2)").run();
      assert.deepEqual(await store.issueTokens([token, { ...token, kind: 'refresh' }]), [600, 601]);
      assert.equal(await database.stores.tokens.findToken(500), undefined, 'the first draw left nothing behind');
      assert.equal((await database.stores.tokens.findToken(601))?.kind, 'refresh');
      raw.close();
    } finally {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
