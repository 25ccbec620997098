import assert from 'node:assert/strict';
import { it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { preparingOnce } from '../../src/storage/sql/statement-cache.js';

it("prepares each SQL text once, never shares a statement still iterating, and keeps at most `max`", () => {
  const raw = new BetterSqlite3(':memory:');
  raw.exec('CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (1), (2)');
  const db = preparingOnce(raw, 2);
  const first = db.prepare('SELECT n FROM t');
  assert.equal(db.prepare('SELECT n FROM t'), first, 'the same text gets the kept statement');
  // A statement in the middle of an iteration is busy: a second query of the same text gets its own.
  const rows = (first as unknown as BetterSqlite3.Statement).iterate();
  rows.next();
  const during = db.prepare('SELECT n FROM t');
  assert.notEqual(during, first);
  assert.deepEqual(during.all([]), [{ n: 1 }, { n: 2 }]);
  rows.return?.();
  assert.equal(db.prepare('SELECT n FROM t'), first, 'the kept one again once it is free');
  db.prepare('SELECT n + 1 FROM t');
  db.prepare('SELECT n + 2 FROM t');
  assert.notEqual(db.prepare('SELECT n FROM t'), first, 'the oldest was dropped past max');
  db.close();
});
