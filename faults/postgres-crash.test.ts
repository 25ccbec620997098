/**
 * A real PostgreSQL crash (issue 18 item 1): a private cluster of the test's
 * own (initdb in a temporary directory, its own port, pg_ctl; as the postgres
 * user when we are root), three `gatehouse serve` instances on it under the
 * mixed load (client credentials, code + PKCE + openid, refresh, implicit,
 * device polls in both dialects, introspection, pages), then `kill -9` of the
 * postmaster and a restart (crash recovery replays the WAL), twice.
 *
 * Meanwhile every instance answers 503 temporarily_unavailable (JSON and
 * pages, /health 503); afterwards each recovers without a restart (same
 * process), every token answered 200 is still valid, and no half-written row
 * is visible.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import pg from 'pg';
import { startCluster } from './cluster.js';
import { describeStatuses, invalidTokens } from './helpers.js';
import { mixedLoad, Tally } from './mixed-load.js';
import { PG_BINARIES_MISSING, PrivatePostgres } from './private-services.js';

const CRASHES = 2;
/** Answers between crashes (and after the last), whatever the machine's speed; waited for at most a minute. */
const ANSWERS_BETWEEN = 400;
const DOWN_MS = 2500;

async function untilAnswers(tally: Tally, count: number): Promise<void> {
  for (const started = Date.now(); tally.total < count && Date.now() - started < 60_000; ) await sleep(50);
}

async function postToken(base: string, client: { client_id: string; client_secret: string }) {
  const response = await fetch(`${base}/oauth/2.0/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', ...client }) });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), json: (await response.json()) as Record<string, unknown> };
}

describe('a real PostgreSQL crash under load (kill -9 of the postmaster, three instances)', () => {
  if (PG_BINARIES_MISSING !== undefined) {
    it('needs initdb and pg_ctl', (t) => t.diagnostic(PG_BINARIES_MISSING!));
    return;
  }

  it(`answers 503 temporarily_unavailable while PostgreSQL is down, recovers without a restart, and keeps every token answered 200 across ${CRASHES} crashes`, async (t) => {
    const postgres = await PrivatePostgres.start();
    const cluster = await startCluster(postgres.url, { env: { GATEHOUSE_LOG_LEVEL: 'error' } });
    const pids = cluster.instances.map((instance) => instance.child.pid);
    const tally = new Tally();
    let done = false;
    try {
      const load = mixedLoad(cluster, { workers: 6, until: () => done, keep: 5000, tally });
      const outages: string[] = [];
      for (let crash = 1; crash <= CRASHES; crash++) {
        await untilAnswers(tally, tally.total + ANSWERS_BETWEEN + crash * 37);
        const answeredBefore = tally.total;
        tally.startFault();
        const killed = await postgres.kill9();
        // Every instance, while the database is gone: JSON 503 with Retry-After, /health 503, a page 503.
        for (const instance of cluster.instances) {
          const token = await postToken(instance.url, cluster.client);
          assert.equal(token.status, 503, JSON.stringify(token.json));
          assert.equal(token.json['error'], 'temporarily_unavailable');
          assert.equal(token.retryAfter, '1');
          assert.equal((await fetch(`${instance.url}/health`)).status, 503);
          const page = await fetch(`${instance.url}/oauth/2.0/authorize?${new URLSearchParams({ response_type: 'code', client_id: cluster.client.client_id, redirect_uri: cluster.redirectUri })}`);
          assert.equal(page.status, 503);
          assert.match(await page.text(), /data-error-code="temporarily_unavailable"/);
        }
        await sleep(DOWN_MS);
        const restartedAt = Date.now();
        await postgres.restart();
        // Recovery without a restart of Gatehouse: the same processes answer 200 again by themselves.
        const recovered: number[] = [];
        for (const instance of cluster.instances) {
          let ok = false;
          for (let i = 0; i < 300 && !ok; i++) {
            ok = (await postToken(instance.url, cluster.client)).status === 200;
            if (!ok) await sleep(100);
          }
          assert.ok(ok, `${instance.url} recovered within 30 s of the restart`);
          recovered.push(Date.now() - restartedAt);
          assert.equal((await fetch(`${instance.url}/health`)).status, 200);
        }
        await sleep(500);
        tally.endFault();
        outages.push(`crash ${crash}: postmaster ${killed} killed after ${answeredBefore} answers; PostgreSQL restarted; instances answering 200 again ${recovered.join('/')} ms after it was back`);
      }
      await untilAnswers(tally, tally.total + ANSWERS_BETWEEN);
      done = true;
      const { answered } = await load;

      assert.deepEqual(cluster.instances.map((instance) => instance.child.pid), pids, 'no instance was restarted');
      assert.equal(cluster.live().length, 3);
      const byStatus = tally.byStatus();
      for (const line of outages) t.diagnostic(line);
      t.diagnostic(`load: ${tally.total} answers ${describeStatuses(byStatus)}; ${tally.tolerated} tolerated during the outages (503 temporarily_unavailable and the knock-on 4xx of flows cut in the middle); ${tally.unexpectedCount} unexpected`);
      assert.deepEqual(tally.unexpected, []);
      assert.ok((byStatus.get('503') ?? 0) > 0, 'the load met the outages');
      for (const status of byStatus.keys()) assert.ok(!/^5/.test(status) || status === '503', `a ${status}`);

      const lost = await invalidTokens(cluster.instances[1]!.url, answered);
      t.diagnostic(`${answered.length} access tokens answered 200 (before, between and after the crashes) checked after: ${lost.length} invalid`);
      assert.ok(answered.length > 50, `${answered.length} tokens kept`);
      assert.deepEqual(lost.slice(0, 10), []);

      const db = new pg.Client({ connectionString: postgres.url });
      await db.connect();
      try {
        const count = async (query: string) => Number((await db.query<{ n: string }>(query)).rows[0]!.n);
        const rows = await count('SELECT count(*) AS n FROM tokens');
        const malformed = await count("SELECT count(*) AS n FROM tokens WHERE secret_hash IS NULL OR length(secret_hash) <> 43 OR client_id IS NULL OR expires_at <= created_at OR kind NOT IN ('access', 'refresh')");
        const badDevices = await count("SELECT count(*) AS n FROM device_codes WHERE (status = 'approved' AND uid IS NULL) OR length(secret_hash) <> 43");
        // A code spent without tokens: its exchange was answered 503 (the crash fell between the two
        // statements). Nothing is visible and nothing is owed; counted so the report can say how often.
        const spent = await count('SELECT count(*) AS n FROM authorization_codes c WHERE c.consumed_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM tokens t WHERE t.family_id = c.family_id)');
        t.diagnostic(`database after ${CRASHES} crashes: ${rows} token rows, ${malformed} malformed, ${badDevices} malformed device authorizations; ${spent} codes spent by an exchange the crash cut (answered 503)`);
        assert.equal(malformed, 0);
        assert.equal(badDevices, 0);
      } finally {
        await db.end();
      }
    } finally {
      done = true;
      await cluster.stop();
      await postgres.stop();
    }
  });
});
