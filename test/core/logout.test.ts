/** The logout core (src/core/logout.ts) on memory stores with a fake clock: the retry policy, giving up after a day, and what each way of ending a session queues. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  deliverDueLogouts,
  endAppSessions,
  endSession,
  endUserSessions,
  GIVE_UP_AFTER_MS,
  postLogoutLocation,
  recordSessionApp,
  retryDelay,
  type LogoutSender,
  type SendResult,
} from '../../src/core/logout.js';
import { createMemoryStores } from '../../src/storage/memory/index.js';
import { fakeClock, makeApp, T0 } from '../helpers/fixtures.js';

describe('logout core', () => {
  test('retry delays: the first within 10 s, doubling, at most an hour', () => {
    assert.equal(retryDelay(1), 5_000);
    assert.equal(retryDelay(2), 10_000);
    assert.equal(retryDelay(3), 20_000);
    assert.equal(retryDelay(10), 2_560_000);
    assert.equal(retryDelay(11), 3_600_000);
    assert.equal(retryDelay(50), 3_600_000);
  });

  test('a receiver that never answers 2xx is retried on that schedule for a day, then the row is kept as failed', async () => {
    const stores = createMemoryStores();
    const { app } = makeApp({ backchannelLogoutUri: 'https://rp.example.com/bc' });
    await stores.apps.createApp(app);
    const clock = fakeClock();
    const sent: number[] = [];
    const sender: LogoutSender = {
      async postLogoutToken(): Promise<SendResult> {
        sent.push(clock.now());
        return { ok: false, status: 503, error: 'HTTP 503' };
      },
    };
    const warnings: string[] = [];
    const deps = { outbox: stores.logouts, apps: stores.apps, signer: { sign: async () => 'h.p.s' }, sender, clock, issuer: 'https://id.example', openidKey: Buffer.alloc(32), log: { info() {}, warn: (_: object, message: string) => warnings.push(message) } };
    await recordSessionApp(stores, { sid: 's1', uid: 'u1' }, app.clientId, T0);
    await endSession(stores, { sid: 's1' }, T0);
    // Step the clock a second at a time for the first minutes, then a minute at a time.
    while (clock.now() < T0 + GIVE_UP_AFTER_MS + 2 * 3600_000) {
      await deliverDueLogouts(deps);
      clock.advance(clock.now() - T0 < 600_000 ? 1 : 60);
    }
    const [row] = await stores.logouts.listLogouts();
    assert.equal(row!.state, 'failed');
    assert.match(row!.lastError!, /still failing after \d+ attempts \(last: HTTP 503\)/);
    assert.equal(sent[0], T0);
    assert.ok(sent[1]! - sent[0]! <= 10_000, 'first retry within 10 s');
    const gaps = sent.slice(1).map((at, i) => at - sent[i]!);
    assert.ok(gaps.every((gap) => gap <= 3600_000 + 60_000), 'never more than an hour (plus the test step) apart');
    assert.ok(sent.at(-1)! - T0 >= GIVE_UP_AFTER_MS, 'given up after at least a day');
    assert.equal(warnings.length, 1);
  });

  test('what each way of ending a session queues', async () => {
    const stores = createMemoryStores();
    const a = makeApp({ backchannelLogoutUri: 'https://a.example.com/bc' }).app;
    const b = makeApp({ backchannelLogoutUri: 'https://b.example.com/bc' }).app;
    const silent = makeApp().app;
    for (const app of [a, b, silent]) await stores.apps.createApp(app);
    for (const [sid, uid, app] of [['s1', 'u1', a], ['s1', 'u1', b], ['s1', 'u1', silent], ['s2', 'u1', a], ['s3', 'u2', a]] as const) {
      await recordSessionApp(stores, { sid, uid }, app.clientId, T0);
    }
    assert.deepEqual((await endSession(stores, { sid: 's1' }, T0)).map((row) => `${row.sid} ${row.clientId === a.clientId ? 'a' : 'b'}`), ['s1 a', 's1 b']);
    assert.deepEqual(await endSession(stores, { sid: 's1' }, T0), [], 'a second logout of the same session queues nothing');
    assert.deepEqual((await endAppSessions(stores, 'u1', a.clientId, T0)).map((row) => row.sid), ['s2']);
    assert.deepEqual((await endAppSessions(stores, 'u1', b.clientId, T0)).map((row) => row.sid), [null], 'no known session: one token with sub only');
    assert.deepEqual((await endUserSessions(stores, 'u2', T0)).map((row) => row.sid), ['s3']);
    assert.equal((await stores.logouts.listLogouts()).length, 5);
  });

  test('postLogoutLocation: exact registered URIs only, state appended before a fragment-free end', () => {
    const app = { postLogoutRedirectUris: ['https://a.example.com/bye', 'https://a.example.com/bye?x=1'] };
    assert.equal(postLogoutLocation(app, 'https://a.example.com/bye', 'a&b'), 'https://a.example.com/bye?state=a%26b');
    assert.equal(postLogoutLocation(app, 'https://a.example.com/bye?x=1', 's'), 'https://a.example.com/bye?x=1&state=s');
    assert.equal(postLogoutLocation(app, 'https://a.example.com/bye', undefined), 'https://a.example.com/bye');
    assert.equal(postLogoutLocation(app, 'https://a.example.com/bye#f', 's'), undefined);
    assert.equal(postLogoutLocation(app, 'https://a.example.com/Bye', 's'), undefined);
    assert.equal(postLogoutLocation(undefined, 'https://a.example.com/bye', 's'), undefined);
    assert.equal(postLogoutLocation(app, undefined, 's'), undefined);
  });
});
