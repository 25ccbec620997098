/**
 * SQLite that cannot write: a read-only database (PRAGMA query_only, since
 * chmod does not stop root) and a full disk (PRAGMA max_page_count caps the
 * file, and a real 2 MiB tmpfs when this user may mount one). Token requests
 * must get 503 temporarily_unavailable, never 500 or a corrupt file; once the
 * database can write again the same instance answers 200, and every token
 * answered 200 is still valid.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { startServer, type TestServer } from '../test/helpers/server.js';
import { describeStatuses, invalidTokens, tokenLoad } from './helpers.js';

async function issueUntil(server: TestServer, client: { clientId: string; clientSecret: string }, done: (statuses: Map<number | string, number>) => boolean, maxMs = 8000) {
  const started = Date.now();
  return tokenLoad(server.url, client, (so) => Date.now() - started > maxMs || done(so.statuses), 10);
}

async function integrity(server: TestServer): Promise<string> {
  const { rows } = await sql<{ integrity_check: string }>`PRAGMA integrity_check`.execute(server.instance.database.db);
  return rows[0]!.integrity_check;
}

describe('SQLite that cannot write', () => {
  it('read-only (PRAGMA query_only): 503 temporarily_unavailable, then 200 again when writable, no token lost', async (t) => {
    const server = await startServer();
    try {
      const made = await server.createApp();
      const client = { clientId: made.clientId, clientSecret: made.clientSecret! };
      const before = await tokenLoad(server.url, client, ((n) => () => n++ > 200)(0), 5);
      await sql`PRAGMA query_only = 1`.execute(server.instance.database.db);
      let n = 0;
      const during = await tokenLoad(server.url, client, () => n++ > 100, 5);
      await sql`PRAGMA query_only = 0`.execute(server.instance.database.db);
      n = 0;
      const afterwards = await tokenLoad(server.url, client, () => n++ > 100, 5);
      t.diagnostic(`read-only: before ${describeStatuses(before.statuses)}; during ${describeStatuses(during.statuses)}; after ${describeStatuses(afterwards.statuses)}`);
      assert.deepEqual([...during.statuses.keys()], [503]);
      for (const body of during.bodies) assert.deepEqual([body['error'], body['retryAfter']], ['temporarily_unavailable', '1']);
      assert.deepEqual([...afterwards.statuses.keys()], [200]);
      assert.equal(await integrity(server), 'ok');
      assert.deepEqual(await invalidTokens(server.url, [...before.tokens, ...afterwards.tokens]), []);
    } finally {
      await server.close();
    }
  });

  it('full (PRAGMA max_page_count): 503 temporarily_unavailable once the file is full, 200 again with room, file intact', async (t) => {
    const server = await startServer();
    try {
      const made = await server.createApp();
      const client = { clientId: made.clientId, clientSecret: made.clientSecret! };
      const db = server.instance.database.db;
      const { rows } = await sql<{ page_count: number }>`PRAGMA page_count`.execute(db);
      await sql.raw(`PRAGMA max_page_count = ${rows[0]!.page_count + 3}`).execute(db);
      const filling = await issueUntil(server, client, (statuses) => (statuses.get(503) ?? 0) > 50);
      await sql`PRAGMA max_page_count = 1073741823`.execute(db);
      let n = 0;
      const afterwards = await tokenLoad(server.url, client, () => n++ > 100, 5);
      t.diagnostic(`disk full (max_page_count): filling ${describeStatuses(filling.statuses)}; after ${describeStatuses(afterwards.statuses)}`);
      assert.ok((filling.statuses.get(503) ?? 0) > 0, 'the cap was reached');
      for (const status of filling.statuses.keys()) assert.ok(status === 200 || status === 503, String(status));
      for (const body of filling.bodies) assert.equal(body['error'], 'temporarily_unavailable');
      assert.deepEqual([...afterwards.statuses.keys()], [200]);
      assert.equal(await integrity(server), 'ok');
      assert.deepEqual(await invalidTokens(server.url, [...filling.tokens, ...afterwards.tokens]), []);
    } finally {
      await server.close();
    }
  });

  it('full (a real 2 MiB tmpfs): 503 temporarily_unavailable, never 500, and the file intact afterwards', async (t) => {
    const mountPoint = mkdtempSync(join(tmpdir(), 'gatehouse-tmpfs-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mountPoint], { stdio: 'ignore' });
    } catch {
      rmSync(mountPoint, { recursive: true, force: true });
      t.diagnostic('skipping the tmpfs disk-full case: this user cannot mount a tmpfs (the max_page_count case above covers SQLITE_FULL)');
      return;
    }
    try {
      mkdirSync(join(mountPoint, 'db'));
      const server = await startServer({ databaseUrl: `sqlite:${join(mountPoint, 'db', 'gatehouse.db')}` });
      try {
        const made = await server.createApp();
        const client = { clientId: made.clientId, clientSecret: made.clientSecret! };
        const filling = await issueUntil(server, client, (statuses) => (statuses.get(503) ?? 0) > 50, 20_000);
        t.diagnostic(`disk full (tmpfs 2 MiB): ${describeStatuses(filling.statuses)}`);
        assert.ok((filling.statuses.get(503) ?? 0) > 0, 'the disk filled up');
        for (const status of filling.statuses.keys()) assert.ok(status === 200 || status === 503, String(status));
        assert.equal(await integrity(server), 'ok');
        const lost = await invalidTokens(server.url, filling.tokens);
        t.diagnostic(`disk full (tmpfs): ${filling.tokens.length} tokens answered 200 checked, ${lost.length} invalid`);
        assert.deepEqual(lost, []);
      } finally {
        await server.close();
      }
    } finally {
      execFileSync('umount', ['-l', mountPoint], { stdio: 'ignore' });
      rmSync(mountPoint, { recursive: true, force: true });
    }
  });
});
