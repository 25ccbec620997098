/**
 * Back-Channel Logout 1.0 (SPEC §7 "Logout"): local receivers on 127.0.0.1
 * (GATEHOUSE_ALLOW_PRIVATE_FETCH=1) verify each logout_token against the
 * JWKS; receivers that hang, answer 500 or are down for a while get every
 * token once, later, without delaying the person's logout; the outbox
 * survives a restart; without the flag a loopback receiver is never fetched.
 * The worker polls every 50 ms with a 100 ms back-off base, so the retries
 * fit in seconds (the policy itself is tested in test/core/logout.test.ts).
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { BACKCHANNEL_LOGOUT_EVENT, endUserSessions } from '../../src/core/logout.js';
import { openidFor } from '../../src/core/openid.js';
import { createLogger } from '../../src/server.js';
import { Browser } from '../helpers/browserless-flow.js';
import { freePort, startServer, type TestServer } from '../helpers/server.js';
import { confirmationForm, LOGOUT, sessionSid, signInTo } from './logout-helpers.js';
import { call, clientCredentials, makeAdminApp } from '../admin/helpers.js';

type Mode = 'ok' | '500' | 'hang';

/** A back-channel logout receiver: records every POST, answers as `mode` says. */
class Receiver {
  readonly posts: { path: string; contentType: string | undefined; token: string }[] = [];
  /** 2xx answers sent, per path. */
  readonly accepted: string[] = [];
  readonly held: ServerResponse[] = [];
  mode: Mode = 'ok';
  private server: Server | undefined;
  constructor(readonly port: number) {}

  static async start(mode: Mode = 'ok'): Promise<Receiver> {
    const receiver = new Receiver(await freePort());
    receiver.mode = mode;
    await receiver.up();
    return receiver;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  async up(): Promise<void> {
    const server = createServer((request: IncomingMessage, response: ServerResponse) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        const token = new URLSearchParams(body).get('logout_token') ?? '';
        this.posts.push({ path: request.url ?? '', contentType: request.headers['content-type'], token });
        if (this.mode === 'hang') {
          this.held.push(response);
          return;
        }
        if (this.mode === '500') {
          response.writeHead(500).end('down for maintenance');
          return;
        }
        this.accepted.push(request.url ?? '');
        response.writeHead(200, { 'cache-control': 'no-store' }).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.server = server;
  }

  async down(): Promise<void> {
    for (const response of this.held.splice(0)) response.destroy();
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const FAST = { logoutDelivery: { pollMs: 50, retryBaseMs: 100 } };

/** Logs the person out at /oauth/2.0/logout (confirmation included); returns the final answer. */
async function logOut(browser: Browser) {
  const page = await browser.request(LOGOUT);
  const { action, fields } = confirmationForm(page.body);
  return browser.request(action, { form: { ...fields, decision: 'logout' } });
}

describe('back-channel logout', () => {
  let server: TestServer;
  let person: { uid: string; username: string; password: string };
  let receiver: Receiver;

  before(async () => {
    server = await startServer({ env: { GATEHOUSE_ALLOW_PRIVATE_FETCH: '1' }, instance: FAST });
    person = await server.createUser();
    receiver = await Receiver.start();
  });
  after(async () => {
    await receiver.down();
    await server.close();
  });

  const outbox = () => server.instance.services.stores.logouts;

  test('every app of the session with a back-channel URI gets a logout_token that verifies against the JWKS', async () => {
    const plain = await server.createApp({ name: 'Plain', backchannelLogoutUri: receiver.url('/plain') });
    const pairwise = await server.createApp({ name: 'Pairwise', backchannelLogoutUri: receiver.url('/pairwise'), subjectType: 'pairwise', idTokenAlg: 'ES256' });
    const silent = await server.createApp({ name: 'No URI' });
    const browser = new Browser(server.url);
    for (const app of [plain, pairwise, silent]) await signInTo(browser, app.clientId, person);
    const sid = sessionSid(browser);
    const done = await logOut(browser);
    assert.equal(done.status, 200);
    await until('both deliveries', () => receiver.accepted.filter((path) => path === '/plain' || path === '/pairwise').length === 2);

    const jwks = createRemoteJWKSet(new URL(`${server.url}/oauth/2.0/jwks`));
    for (const [app, path, alg, sub] of [
      [plain, '/plain', 'RS256', person.uid],
      [pairwise, '/pairwise', 'ES256', openidFor(server.instance.services.openidKey, pairwise.app, person.uid)],
    ] as const) {
      const posts = receiver.posts.filter((post) => post.path === path);
      assert.equal(posts.length, 1, `${path}: one POST`);
      const post = posts[0]!;
      assert.equal(post.contentType, 'application/x-www-form-urlencoded');
      const header = decodeProtectedHeader(post.token);
      assert.equal(header.typ, 'logout+jwt');
      assert.equal(header.alg, alg);
      assert.equal(typeof header.kid, 'string');
      const { payload } = await jwtVerify(post.token, jwks, { issuer: server.url, audience: app.clientId, typ: 'logout+jwt', algorithms: [alg], maxTokenAge: '2m' });
      const claims: JWTPayload = payload;
      assert.deepEqual(Object.keys(claims).sort(), ['aud', 'events', 'exp', 'iat', 'iss', 'jti', 'sid', 'sub']);
      assert.equal(claims.sub, sub);
      assert.equal(claims['sid'], sid);
      assert.equal(claims.aud, app.clientId);
      assert.deepEqual(claims['events'], { [BACKCHANNEL_LOGOUT_EVENT]: {} });
      assert.equal(claims['nonce'], undefined);
      assert.equal(claims.exp! - claims.iat!, 120);
      assert.match(claims.jti!, /^[A-Za-z0-9_-]{20,}$/);
    }
    assert.equal((await outbox().listLogouts({ clientId: silent.clientId })).length, 0, 'an app without a URI gets nothing');
    for (const app of [plain, pairwise]) assert.deepEqual((await outbox().listLogouts({ clientId: app.clientId })).map((row) => row.state), ['delivered']);
  });

  test('a receiver that answers 500, then 200: retried with back-off, delivered once, and the logout answered at once', async () => {
    const app = await server.createApp({ backchannelLogoutUri: receiver.url('/flaky') });
    const browser = new Browser(server.url);
    await signInTo(browser, app.clientId, person);
    receiver.mode = '500';
    const done = await logOut(browser);
    assert.equal(done.status, 200, 'the person is signed out whatever the receiver does');
    await until('three failed attempts', async () => (await outbox().listLogouts({ clientId: app.clientId }))[0]!.attempts >= 3);
    const [pending] = await outbox().listLogouts({ clientId: app.clientId });
    assert.equal(pending!.state, 'pending');
    assert.equal(pending!.lastError, 'HTTP 500');
    receiver.mode = 'ok';
    await until('delivered', async () => (await outbox().listLogouts({ clientId: app.clientId }))[0]!.state === 'delivered');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(receiver.accepted.filter((path) => path === '/flaky').length, 1, 'one successful POST');
    const tokens = receiver.posts.filter((post) => post.path === '/flaky').map((post) => post.token);
    assert.ok(tokens.length >= 4);
    // Signed at send time: each attempt is a fresh token (its own jti).
    const jtis = new Set(tokens.map((token) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti as string));
    assert.equal(jtis.size, tokens.length);
  });

  test('a receiver that hangs: the logout does not wait for it; after the 5 s timeout it is retried and delivered once', async () => {
    const hanging = await Receiver.start('hang');
    try {
      const app = await server.createApp({ backchannelLogoutUri: hanging.url('/hang') });
      const browser = new Browser(server.url);
      await signInTo(browser, app.clientId, person);
      const done = await logOut(browser);
      assert.equal(done.status, 200);
      // The POST is held open by the receiver; the person already has their answer.
      await until('the receiver holds the POST', () => hanging.held.length === 1);
      assert.equal((await outbox().listLogouts({ clientId: app.clientId }))[0]!.state, 'pending');
      await until('the hung attempt counted as failed', async () => (await outbox().listLogouts({ clientId: app.clientId }))[0]!.attempts >= 1, 15_000);
      assert.match((await outbox().listLogouts({ clientId: app.clientId }))[0]!.lastError!, /timed out/);
      hanging.mode = 'ok';
      await until('delivered', async () => (await outbox().listLogouts({ clientId: app.clientId }))[0]!.state === 'delivered', 15_000);
      assert.equal(hanging.accepted.length, 1);
    } finally {
      await hanging.down();
    }
  });

  test('a receiver down for a while, then up: every token delivered once', async () => {
    const flaky = await Receiver.start();
    await flaky.down();
    try {
      const apps = [await server.createApp({ backchannelLogoutUri: flaky.url('/a') }), await server.createApp({ backchannelLogoutUri: flaky.url('/b') })];
      const browsers = [new Browser(server.url), new Browser(server.url)];
      for (const browser of browsers) for (const app of apps) await signInTo(browser, app.clientId, person);
      for (const browser of browsers) assert.equal((await logOut(browser)).status, 200);
      const rows = async () => (await Promise.all(apps.map((app) => outbox().listLogouts({ clientId: app.clientId })))).flat();
      await until('every delivery failed twice', async () => (await rows()).length === 4 && (await rows()).every((row) => row.attempts >= 2));
      assert.ok((await rows()).every((row) => row.state === 'pending' && row.lastError !== null && /ECONNREFUSED|connect/i.test(row.lastError)), JSON.stringify(await rows()));
      await flaky.up();
      await until('all delivered', async () => (await rows()).every((row) => row.state === 'delivered'));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const sids = flaky.posts.map((post) => `${post.path} ${JSON.parse(Buffer.from(post.token.split('.')[1]!, 'base64url').toString()).sid as string}`);
      assert.equal(flaky.accepted.length, 4, 'four tokens: two sessions × two apps');
      assert.equal(new Set(sids).size, 4, 'one per (session, app)');
    } finally {
      await flaky.down();
    }
  });

  test('revokeAuthorization ends that app\'s session for the user: a logout token to that app only', async () => {
    const revoked = await server.createApp({ backchannelLogoutUri: receiver.url('/revoked'), redirectUris: ['https://app.example.com/cb'] });
    const kept = await server.createApp({ backchannelLogoutUri: receiver.url('/kept') });
    const browser = new Browser(server.url);
    const code = await signInTo(browser, revoked.clientId, person);
    await signInTo(browser, kept.clientId, person);
    const sid = sessionSid(browser);
    const token = await fetch(`${server.url}/oauth/2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: 'https://app.example.com/cb', client_id: revoked.clientId, client_secret: revoked.clientSecret! }),
    }).then((response) => response.json() as Promise<{ access_token: string }>);
    const answer = await fetch(`${server.url}/rest/2.0/passport/auth/revokeAuthorization`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ access_token: token.access_token }),
    });
    assert.equal(await answer.text(), '{"result":"1"}');
    await until('delivered', () => receiver.accepted.includes('/revoked'));
    const post = receiver.posts.find((p) => p.path === '/revoked')!;
    const claims = JSON.parse(Buffer.from(post.token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    assert.equal(claims['sid'], sid);
    assert.equal(claims['sub'], person.uid);
    assert.deepEqual((await server.instance.services.stores.sessionApps.listSessionApps(sid)).map((row) => row.clientId), [kept.clientId], 'the other app stays signed in');
    assert.equal((await outbox().listLogouts({ clientId: kept.clientId })).length, 0);
  });

  test('endUserSessions (the admin API\'s "end every session of user X"): every session, every app', async () => {
    const someone = await server.createUser();
    const app = await server.createApp({ backchannelLogoutUri: receiver.url('/all') });
    const sids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const browser = new Browser(server.url);
      await signInTo(browser, app.clientId, someone);
      sids.push(sessionSid(browser));
    }
    const { stores } = server.instance.services;
    const queued = await endUserSessions(stores, someone.uid, Date.now());
    assert.deepEqual(queued.map((row) => row.sid).sort(), [...sids].sort());
    await until('both delivered', () => receiver.accepted.filter((path) => path === '/all').length === 2);
    assert.deepEqual(await stores.sessionApps.listUserSessionApps(someone.uid), []);
  });

  test('the admin API ending a user: disable and a password reset each log every session out of every app', async () => {
    const admin = await makeAdminApp(server);
    const token = (await clientCredentials(server.url, admin.clientId, admin.clientSecret, 'gatehouse:admin')).json.access_token as string;
    const { stores } = server.instance.services;
    for (const [path, method, body] of [
      ['/disable', 'POST', undefined],
      ['', 'PATCH', { password: 'a brand new horse battery' }],
    ] as const) {
      const someone = await server.createUser();
      const app = await server.createApp({ backchannelLogoutUri: receiver.url(`/admin${path || '-patch'}`) });
      const browser = new Browser(server.url);
      await signInTo(browser, app.clientId, someone);
      const sid = sessionSid(browser);
      const answer = await call(server.url, method, `/admin/v1/users/${someone.uid}${path}`, body, token);
      assert.equal(answer.status, 200, answer.text);
      await until(`delivered after ${method} ${path}`, () => receiver.accepted.includes(`/admin${path || '-patch'}`));
      const post = receiver.posts.find((p) => p.path === `/admin${path || '-patch'}`)!;
      const claims = JSON.parse(Buffer.from(post.token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
      assert.deepEqual([claims['sub'], claims['sid']], [someone.uid, sid]);
      assert.deepEqual(await stores.sessionApps.listUserSessionApps(someone.uid), []);
    }
  });
});

describe('back-channel logout across a restart', () => {
  test('the outbox survives: stopped with deliveries pending, another instance on the same database delivers them', async () => {
    const receiver = await Receiver.start();
    await receiver.down();
    const first = await startServer({ env: { GATEHOUSE_ALLOW_PRIVATE_FETCH: '1' }, instance: FAST });
    const databaseUrl = first.config.databaseUrl;
    let second: TestServer | undefined;
    try {
      const person = await first.createUser();
      const app = await first.createApp({ backchannelLogoutUri: receiver.url('/restart') });
      const browser = new Browser(first.url);
      await signInTo(browser, app.clientId, person);
      assert.equal((await logOut(browser)).status, 200);
      await until('a failed attempt', async () => (await first.instance.services.stores.logouts.listLogouts())[0]?.attempts === 1);
      await first.instance.close();
      await receiver.up();
      second = await startServer({ databaseUrl, env: { GATEHOUSE_ALLOW_PRIVATE_FETCH: '1' }, instance: FAST });
      await until('delivered by the new instance', async () => (await second!.instance.services.stores.logouts.listLogouts())[0]?.state === 'delivered');
      assert.equal(receiver.accepted.length, 1);
      const claims = JSON.parse(Buffer.from(receiver.posts.at(-1)!.token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
      assert.equal(claims['sub'], person.uid);
      assert.equal(claims['aud'], app.clientId);
    } finally {
      await second?.close();
      await receiver.down();
    }
  });
});

describe('back-channel logout without GATEHOUSE_ALLOW_PRIVATE_FETCH', () => {
  let server: TestServer;
  let receiver: Receiver;
  const lines: string[] = [];
  before(async () => {
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(...chunk.toString('utf8').split('\n').filter((line) => line !== ''));
        callback();
      },
    });
    server = await startServer({ instance: FAST, deps: { logger: createLogger({ logLevel: 'info' }, stream) } });
    receiver = await Receiver.start();
  });
  after(async () => {
    await receiver.down();
    await server.close();
  });

  test('a loopback receiver is refused: never fetched, the delivery marked failed, one clear log line', async () => {
    const person = await server.createUser();
    const app = await server.createApp({ backchannelLogoutUri: receiver.url('/loopback') });
    const browser = new Browser(server.url);
    await signInTo(browser, app.clientId, person);
    assert.equal((await logOut(browser)).status, 200);
    const rows = () => server.instance.services.stores.logouts.listLogouts({ clientId: app.clientId });
    await until('given up', async () => (await rows())[0]?.state === 'failed');
    const [row] = await rows();
    assert.match(row!.lastError!, /refused: loopback and private addresses are not fetched unless GATEHOUSE_ALLOW_PRIVATE_FETCH=1/);
    assert.equal(row!.attempts, 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(receiver.posts.length, 0, 'the receiver never saw a request');
    const logged = lines.filter((line) => line.includes('given up'));
    assert.equal(logged.length, 1, lines.join('\n'));
    const entry = JSON.parse(logged[0]!) as Record<string, unknown>;
    assert.equal(entry['client_id'], app.clientId);
    assert.match(String(entry['msg']), new RegExp(`back-channel logout to ${app.clientId} given up: http://127\\.0\\.0\\.1:${receiver.port}/loopback refused`));
  });
});
