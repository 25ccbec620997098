/**
 * `gatehouse serve --workers 2` (node:cluster) on SQLite and PostgreSQL: two
 * workers share one port, a worker killed with SIGKILL is replaced, SIGTERM
 * stops them all.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../helpers/server.js';
import { createTestSchema } from '../storage/pg-schema.js';
import { withPostgres } from '../storage/pg-suite.js';
import { childPids, gatehouse, serve, type ServeProcess } from './process.js';

/** `database` makes a fresh database and returns its URL and how to remove it. */
function workersSuite(label: string, database: () => Promise<{ url: string; drop(): Promise<void> }>) {
  describe(`gatehouse serve --workers 2 on ${label}`, () => {
    let drop: () => Promise<void>;
    let server: ServeProcess;
    let env: Record<string, string>;
    let client: { client_id: string; client_secret: string };

    const token = async () => {
      const response = await fetch(`${server.url}/oauth/2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', ...client }),
      });
      return { status: response.status, body: (await response.json()) as { access_token: string } };
    };
    const workers = () => childPids(server.child.pid!, 'cli.ts');

    before(async () => {
      const made = await database();
      drop = made.drop;
      env = { GATEHOUSE_DATABASE_URL: made.url };
      client = JSON.parse(await gatehouse(['clients', 'create', '--name', 'Workers', '--root-domain', 'example.com', '--json'], env));
      server = await serve(['--workers', '2'], env, await freePort());
    });
    after(async () => {
      await server?.stop('SIGKILL');
      await drop?.();
    });

    it('runs two workers on one port, each issuing tokens the other sees', async () => {
      let pids: number[] = [];
      for (let i = 0; i < 100 && pids.length < 2; i += 1) {
        pids = await workers();
        if (pids.length < 2) await sleep(100);
      }
      assert.equal(pids.length, 2, server.output());
      const answers = await Promise.all(Array.from({ length: 40 }, token));
      assert.deepEqual(answers.map((a) => a.status), Array(40).fill(200));
      for (const { body } of answers) {
        const info = await fetch(`${server.url}/oauth/2.0/tokeninfo?access_token=${encodeURIComponent(body.access_token)}`);
        assert.equal(info.status, 200);
      }
    });

    it('replaces a worker killed with SIGKILL and keeps answering', async () => {
      const [victim, survivor] = await workers();
      process.kill(victim!, 'SIGKILL');
      let pids: number[] = [];
      for (let i = 0; i < 100; i += 1) {
        pids = await workers();
        if (pids.length === 2 && !pids.includes(victim!)) break;
        await sleep(100);
      }
      assert.equal(pids.length, 2, server.output());
      assert.ok(pids.includes(survivor!) && !pids.includes(victim!));
      assert.match(server.output(), /worker died; starting another/);
      const answers = await Promise.all(Array.from({ length: 10 }, token));
      assert.deepEqual(answers.map((a) => a.status), Array(10).fill(200));
    });

    it('stops every worker on SIGTERM and exits 0', async () => {
      const pids = await workers();
      assert.equal(await server.stop('SIGTERM'), 0);
      for (const pid of pids) assert.throws(() => process.kill(pid, 0), /ESRCH/);
    });
  });
}

workersSuite('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-workers-'));
  return { url: `sqlite:${join(dir, 'gatehouse.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
});

withPostgres('gatehouse serve --workers 2 on PostgreSQL', (base) => {
  workersSuite('PostgreSQL', async () => {
    const schema = await createTestSchema(base);
    return { url: schema.url, drop: () => schema.drop() };
  });
});
