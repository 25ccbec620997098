/**
 * The back-channel logout outbox under kill -9 of every instance (issue 18
 * item 4, first half): three `gatehouse serve` instances on one SQLite file,
 * six sign-in sessions to an app with a back-channel logout URI on a local
 * receiver that holds every POST unanswered; each session logs out on the
 * next instance, every delivery is attempted (some in flight, some waiting to
 * retry), then all three instances are `kill -9`ed, the receiver starts
 * answering 200, and the instances start again.
 *
 * Every session's logout token arrives (verified against the JWKS, with its
 * sid), and every outbox row ends `delivered`: nothing queued is lost with
 * the processes. A delivery in flight at the kill is sent again once its
 * claim lapses (CLAIM_LEASE_MS, src/core/logout.ts): at least once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { Browser } from '../test/helpers/browserless-flow.js';
import { freePort } from '../test/helpers/server.js';
import { confirmationForm, sessionSid, signInTo } from '../test/oidc/logout-helpers.js';
import { startCluster } from './cluster.js';

const SESSIONS = 6;

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 90_000): Promise<void> {
  for (const started = Date.now(); !(await check()); await sleep(100)) if (Date.now() - started > ms) assert.fail(`${what}: not within ${ms / 1000} s`);
}

describe('back-channel logout outbox across kill -9 of every instance', () => {
  it(`delivers the logout of each of ${SESSIONS} sessions after all three instances were killed with deliveries in flight and pending`, async (t) => {
    let answering = false;
    const held: ServerResponse[] = [];
    const posts: { token: string; accepted: boolean }[] = [];
    const port = await freePort();
    const receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        const token = new URLSearchParams(body).get('logout_token') ?? '';
        posts.push({ token, accepted: answering });
        if (answering) response.writeHead(200).end();
        else held.push(response);
      });
    });
    await new Promise<void>((resolve) => receiver.listen(port, '127.0.0.1', resolve));
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-outbox-'));
    const path = join(dir, 'gatehouse.db');
    const cluster = await startCluster(`sqlite:${path}`, {
      env: { GATEHOUSE_ALLOW_PRIVATE_FETCH: '1', GATEHOUSE_LOG_LEVEL: 'error' },
      clientArgs: ['--backchannel-logout-uri', `http://127.0.0.1:${port}/backchannel`],
    });
    try {
      const sids: string[] = [];
      for (let i = 0; i < SESSIONS; i++) {
        const browser = new Browser(cluster.instances[i % 3]!.url);
        await signInTo(browser, cluster.client.client_id, cluster.person, cluster.redirectUri);
        sids.push(sessionSid(browser));
        const page = await browser.request('/oauth/2.0/logout');
        const { action, fields } = confirmationForm(page.body);
        const done = await browser.request(action, { form: { ...fields, decision: 'logout' } });
        assert.equal(done.status, 200, 'the person is signed out whatever the receiver does');
      }
      // Every delivery attempted at least once (held unanswered, or timed out and waiting to retry).
      const sidOf = (token: string) => String((JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8') || '{}') as { sid?: string }).sid);
      await until('every session attempted', () => new Set(posts.map((post) => sidOf(post.token))).size >= SESSIONS);
      const inFlight = held.filter((response) => !response.writableEnded && !response.destroyed).length;
      const outboxBefore = new BetterSqlite3(path, { readonly: true });
      const before = outboxBefore.prepare("SELECT state, count(*) AS n FROM logout_outbox GROUP BY state").all() as { state: string; n: number }[];
      outboxBefore.close();

      await Promise.all(cluster.instances.map((_, i) => cluster.kill9(i)));
      for (const response of held) response.destroy();
      answering = true;
      const attemptsBeforeRestart = posts.length;
      for (let i = 0; i < 3; i++) await cluster.restart(i);

      const acceptedSids = async () => {
        const jwks = createLocalJWKSet((await (await fetch(`${cluster.instances[0]!.url}/oauth/2.0/jwks`)).json()) as JSONWebKeySet);
        const seen = new Set<string>();
        for (const post of posts.filter((p) => p.accepted)) {
          const { payload } = await jwtVerify(post.token, jwks, { issuer: cluster.env['GATEHOUSE_ISSUER']!, audience: cluster.client.client_id });
          assert.ok(payload['events'] && typeof payload['events'] === 'object' && 'http://schemas.openid.net/event/backchannel-logout' in payload['events']);
          seen.add(String(payload['sid']));
        }
        return seen;
      };
      await until('every logout delivered after the restart', async () => (await acceptedSids()).size === SESSIONS);
      const db = new BetterSqlite3(path, { readonly: true });
      let rows: { state: string; n: number }[];
      try {
        await until('every outbox row delivered', () => {
          rows = db.prepare('SELECT state, count(*) AS n FROM logout_outbox GROUP BY state').all() as { state: string; n: number }[];
          return rows.length === 1 && rows[0]!.state === 'delivered';
        }, 20_000);
      } finally {
        db.close();
      }
      assert.deepEqual([...(await acceptedSids())].sort(), [...sids].sort());
      const accepted = posts.filter((post) => post.accepted).length;
      t.diagnostic(`${SESSIONS} logouts; before the kill: ${attemptsBeforeRestart} POSTs attempted, ${inFlight} held in flight, outbox ${before.map((row) => `${row.state}:${row.n}`).join(' ')}; after kill -9 of all 3 and restart: ${accepted} accepted (${accepted - SESSIONS} sent twice), outbox ${rows!.map((row) => `${row.state}:${row.n}`).join(' ')}`);
      assert.equal(rows!.length, 1);
      assert.deepEqual(rows![0], { state: 'delivered', n: SESSIONS });
    } finally {
      await cluster.stop();
      for (const response of held) response.destroy();
      receiver.closeAllConnections();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
