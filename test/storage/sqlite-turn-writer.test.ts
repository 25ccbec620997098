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
