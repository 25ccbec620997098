/**
 * kill -9 of `gatehouse serve` under client_credentials load, then a restart:
 * every token answered 200 before the kill must still be valid (a 200 is sent
 * only after the token's transaction committed: WAL + synchronous=NORMAL on
 * SQLite, a committed INSERT on PostgreSQL), and the database must be intact.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { createTestSchema, PG_SKIP_MESSAGE, PG_URL } from '../test/storage/pg-schema.js';
import { createClient, describeStatuses, invalidTokens, killHard, serve, stop, tokenLoad } from './helpers.js';

const CYCLES = 3;
const LOAD_MS = 1500;

async function crashCycles(t: { diagnostic(message: string): void }, databaseUrl: string): Promise<number> {
  const client = await createClient(databaseUrl);
  const answered: string[] = [];
  for (let cycle = 1; cycle <= CYCLES; cycle++) {
    const served = await serve(databaseUrl);
    let killed = false;
    const load = tokenLoad(served.url, client, () => killed);
    // Kill at a moment that is not a round number of batches.
    await sleep(LOAD_MS + cycle * 37);
    await killHard(served);
    killed = true;
    const result = await load;
    assert.ok(result.tokens.length > 0, 'the load got some tokens before the kill');
    assert.deepEqual([...result.statuses.keys()].filter((status) => typeof status === 'number' && status !== 200), [], describeStatuses(result.statuses));
    answered.push(...result.tokens);

    const restarted = await serve(databaseUrl);
    try {
      const lost = await invalidTokens(restarted.url, answered);
      t.diagnostic(`cycle ${cycle}: ${result.tokens.length} tokens answered 200 before kill -9 (${describeStatuses(result.statuses)}); ${answered.length} checked after restart, ${lost.length} invalid`);
      assert.deepEqual(lost.slice(0, 10), []);
    } finally {
      await stop(restarted);
    }
  }
  return answered.length;
}

describe('kill -9 under load on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-faults-'));
  const path = join(dir, 'gatehouse.db');
  after(() => rmSync(dir, { recursive: true, force: true }));

  it(`loses no token answered 200 across ${CYCLES} kill -9 + restart cycles, and the file passes integrity_check`, async (t) => {
    const checked = await crashCycles(t, `sqlite:${path}`);
    const db = new BetterSqlite3(path, { readonly: true });
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
      const rows = db.prepare('SELECT count(*) AS n FROM tokens').get() as { n: number };
      const broken = db.prepare("SELECT count(*) AS n FROM tokens WHERE secret_hash IS NULL OR length(secret_hash) <> 43 OR client_id IS NULL OR expires_at <= created_at").get() as { n: number };
      t.diagnostic(`SQLite: ${rows.n} token rows after ${CYCLES} crashes, ${checked} answered tokens all valid, ${broken.n} malformed rows`);
      assert.ok(rows.n >= checked);
      assert.equal(broken.n, 0);
    } finally {
      db.close();
    }
  });
});

describe('kill -9 under load on PostgreSQL', () => {
  if (PG_URL === undefined) {
    it('runs only with PostgreSQL', (t) => t.diagnostic(PG_SKIP_MESSAGE));
    return;
  }
  it(`loses no token answered 200 across ${CYCLES} kill -9 + restart cycles, and no half-written row is visible`, async (t) => {
    const schema = await createTestSchema(PG_URL!);
    try {
      const checked = await crashCycles(t, schema.url);
      const client = new pg.Client({ connectionString: schema.url });
      await client.connect();
      try {
        const rows = await client.query<{ n: string }>('SELECT count(*) AS n FROM tokens');
        const broken = await client.query<{ n: string }>('SELECT count(*) AS n FROM tokens WHERE secret_hash IS NULL OR length(secret_hash) <> 43 OR client_id IS NULL OR expires_at <= created_at');
        t.diagnostic(`PostgreSQL: ${rows.rows[0]!.n} token rows after ${CYCLES} crashes, ${checked} answered tokens all valid, ${broken.rows[0]!.n} malformed rows`);
        assert.ok(Number(rows.rows[0]!.n) >= checked);
        assert.equal(Number(broken.rows[0]!.n), 0);
      } finally {
        await client.end();
      }
    } finally {
      await schema.drop();
    }
  });
});
