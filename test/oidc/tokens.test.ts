/**
 * SPEC §7 over HTTP: id_tokens from the code, refresh and device grants
 * (never client credentials), userinfo, and the discovery document; a Baidu
 * code flow without openid answers exactly the old fields.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { createAccount } from '../../src/core/accounts.js';
import { openidFor } from '../../src/core/openid.js';
import { portraitOf } from '../../src/core/users.js';
import { authorize, Browser, redirectParams } from '../helpers/browserless-flow.js';
import { startServer, type TestServer, TEST_CONTEXT } from '../helpers/server.js';
import { call, clientParams, poll, requestDevice, visitDevicePage, DIALECTS } from '../device/helpers.js';

const REDIRECT = 'https://app.example.com/cb';
const PASSWORD = 'correct horse battery';
/** The order Gatehouse has always answered them in (src/core/issue.ts). */
const OAUTH_FIELDS = ['access_token', 'token_type', 'expires_in', 'scope', 'refresh_token'];
const atHash = (token: string, hash = 'sha256') => {
  const digest = createHash(hash).update(token).digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
};

describe('OpenID Connect tokens (SPEC §7)', () => {
  let server: TestServer;
  let jwks: ReturnType<typeof createRemoteJWKSet>;
  let person: { uid: string; username: string; password: string };
  let client: { clientId: string; clientSecret: string | undefined };

  before(async () => {
    server = await startServer();
    jwks = createRemoteJWKSet(new URL(`${server.url}/oauth/2.0/jwks`));
    const user = await createAccount(server.instance.services.stores, { username: `oidc_${process.pid}`, password: PASSWORD, 
      email: 'ada@example.com',
      name: 'Ada Lovelace',
      emailVerified: true,
    }, TEST_CONTEXT());
    person = { uid: user.uid, username: user.username, password: PASSWORD };
    client = await server.createApp({ redirectUris: [REDIRECT], scopes: ['basic', 'email', 'openid', 'profile', 'offline_access'] });
  });
  after(() => server.close());

  /** Signs in, approves, redeems the code; returns the token response and when the person signed in (bounds). */
  async function codeFlow(c: { clientId: string; clientSecret: string | undefined }, scope: string, extra: Record<string, string> = {}) {
    const before = Math.floor(Date.now() / 1000);
    const final = await authorize(new Browser(server.url), { response_type: 'code', client_id: c.clientId, redirect_uri: REDIRECT, scope, ...extra }, person);
    const code = redirectParams(final.location!).get('code')!;
    const response = await call(server.url, '/oauth/2.0/token', { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, ...clientParams(c) });
    assert.equal(response.status, 200, JSON.stringify(response.json));
    return { json: response.json, headers: response.headers, before, after: Math.ceil(Date.now() / 1000) };
  }

  async function verify(idToken: string, clientId: string): Promise<{ payload: JWTPayload; header: Record<string, unknown> }> {
    const { payload, protectedHeader } = await jwtVerify(idToken, jwks, { issuer: server.url, audience: clientId });
    return { payload, header: protectedHeader };
  }

  it('code flow with openid and a nonce: id_token after the OAuth fields, RS256 with the kid of the JWKS, every claim of SPEC §7', async () => {
    const { json, before, after } = await codeFlow(client, 'openid profile email offline_access', { nonce: 'n-42' });
    assert.deepEqual(Object.keys(json), [...OAUTH_FIELDS, 'id_token']);
    const { payload, header } = await verify(json['id_token'] as string, client.clientId);
    const published = (await (await fetch(`${server.url}/oauth/2.0/jwks`)).json()) as { keys: { kid: string; alg: string }[] };
    assert.equal(header['alg'], 'RS256');
    assert.equal(header['kid'], published.keys.find((key) => key.alg === 'RS256')!.kid);
    assert.deepEqual(Object.keys(payload), ['iss', 'sub', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'azp', 'sid', 'at_hash']);
    assert.equal(payload.iss, server.url);
    assert.equal(payload.sub, person.uid);
    assert.equal(payload.aud, client.clientId);
    assert.equal(payload['azp'], client.clientId);
    assert.equal(payload['nonce'], 'n-42');
    assert.equal(payload.exp, payload.iat! + 3600);
    assert.ok(payload.iat! >= before && payload.iat! <= after);
    const authTime = payload['auth_time'] as number;
    assert.ok(Number.isInteger(authTime) && authTime >= before - 1 && authTime <= after, `auth_time ${authTime} in [${before}, ${after}]`);
    assert.match(payload['sid'] as string, /^[A-Za-z0-9_-]{16,}$/);
    assert.equal(payload['at_hash'], atHash(json['access_token'] as string));
    // Beside an access token the scope claims stay at userinfo (OIDC Core §5.4).
    assert.equal(payload['email'], undefined);
  });

  it('no nonce in the request: no nonce claim; no offline_access: no refresh token (OIDC Core §11)', async () => {
    const { json } = await codeFlow(client, 'openid');
    assert.deepEqual(Object.keys(json), ['access_token', 'token_type', 'expires_in', 'scope', 'id_token']);
    const { payload } = await verify(json['id_token'] as string, client.clientId);
    assert.equal('nonce' in payload, false);
    assert.equal(typeof payload['auth_time'], 'number');
  });

  it('refresh: a new id_token with the same nonce, auth_time and sid, a new at_hash; narrowing away openid gives none', async () => {
    const first = await codeFlow(client, 'openid offline_access email', { nonce: 'keep-me' });
    const original = (await verify(first.json['id_token'] as string, client.clientId)).payload;
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const refreshed = await call(server.url, '/oauth/2.0/token', { grant_type: 'refresh_token', refresh_token: first.json['refresh_token'] as string, ...clientParams(client) });
    assert.equal(refreshed.status, 200);
    assert.deepEqual(Object.keys(refreshed.json), [...OAUTH_FIELDS, 'id_token']);
    const renewed = (await verify(refreshed.json['id_token'] as string, client.clientId)).payload;
    assert.equal(renewed['nonce'], 'keep-me');
    assert.equal(renewed['auth_time'], original['auth_time']);
    assert.equal(renewed['sid'], original['sid']);
    assert.equal(renewed.sub, original.sub);
    assert.ok(renewed.iat! > original.iat!);
    assert.equal(renewed['at_hash'], atHash(refreshed.json['access_token'] as string));

    const narrowed = await call(server.url, '/oauth/2.0/token', {
      grant_type: 'refresh_token',
      refresh_token: refreshed.json['refresh_token'] as string,
      scope: 'email offline_access',
      ...clientParams(client),
    });
    assert.equal(narrowed.status, 200);
    assert.deepEqual(Object.keys(narrowed.json), OAUTH_FIELDS);
  });

  it('a pairwise app: sub is getInfo’s openid for that app', async () => {
    const pairwise = await server.createApp({ redirectUris: [REDIRECT], scopes: ['basic', 'openid'], subjectType: 'pairwise' });
    const { json } = await codeFlow(pairwise, 'openid basic');
    const { payload } = await verify(json['id_token'] as string, pairwise.clientId);
    const info = await call(server.url, '/rest/2.0/passport/users/getInfo', { access_token: json['access_token'] as string });
    assert.equal(payload.sub, info.json['openid']);
    assert.equal(payload.sub, openidFor(server.instance.services.openidKey, pairwise.app, person.uid));
  });

  for (const [alg, hash] of [['ES256', 'sha256'], ['EdDSA', 'sha512'], ['PS256', 'sha256']] as const) {
    it(`an app with id_token_signed_response_alg ${alg}: signed with that key, at_hash from ${hash}`, async () => {
      const app = await server.createApp({ redirectUris: [REDIRECT], scopes: ['openid'], idTokenAlg: alg });
      const { json } = await codeFlow(app, 'openid');
      assert.equal(decodeProtectedHeader(json['id_token'] as string).alg, alg);
      const { payload } = await verify(json['id_token'] as string, app.clientId);
      assert.equal(payload['at_hash'], atHash(json['access_token'] as string, hash));
    });
  }

  it('a Baidu code flow without openid answers exactly the old fields, nothing more', async () => {
    const { json, headers } = await codeFlow(client, 'basic');
    assert.deepEqual(Object.keys(json), OAUTH_FIELDS);
    assert.equal(json['scope'], 'basic');
    assert.equal(headers.get('cache-control'), 'no-store');
  });

  it('client credentials never returns an id_token, even with openid in the scope', async () => {
    const response = await call(server.url, '/oauth/2.0/token', { grant_type: 'client_credentials', scope: 'openid', ...clientParams(client) });
    assert.equal(response.status, 200);
    assert.deepEqual(Object.keys(response.json), ['access_token', 'token_type', 'expires_in', 'scope']);
  });

  for (const dialect of DIALECTS) {
    it(`device grant (${dialect.name}) with openid: an id_token for the person who approved, auth_time and sid of their session`, async () => {
      const device = await requestDevice(server.url, { client_id: client.clientId, scope: 'openid profile offline_access' });
      const before = Math.floor(Date.now() / 1000);
      await visitDevicePage(server.url, device.user_code, person);
      const response = await poll(server.url, dialect, device.device_code, clientParams(client));
      assert.equal(response.status, 200, JSON.stringify(response.json));
      assert.deepEqual(Object.keys(response.json), [...OAUTH_FIELDS, 'id_token']);
      const { payload } = await verify(response.json['id_token'] as string, client.clientId);
      assert.equal(payload.sub, person.uid);
      assert.equal('nonce' in payload, false);
      assert.ok((payload['auth_time'] as number) >= before - 1);
      assert.match(payload['sid'] as string, /^[A-Za-z0-9_-]{16,}$/);
      assert.equal(payload['at_hash'], atHash(response.json['access_token'] as string));
      // Its refresh keeps that sign-in.
      const refreshed = await call(server.url, '/oauth/2.0/token', { grant_type: 'refresh_token', refresh_token: response.json['refresh_token'] as string, ...clientParams(client) });
      const renewed = (await verify(refreshed.json['id_token'] as string, client.clientId)).payload;
      assert.equal(renewed['sid'], payload['sid']);
      assert.equal(renewed['auth_time'], payload['auth_time']);
    });
  }

  it('device grant without openid: the old fields only', async () => {
    const device = await requestDevice(server.url, { client_id: client.clientId, scope: 'basic' });
    await visitDevicePage(server.url, device.user_code, person);
    const response = await poll(server.url, DIALECTS[0], device.device_code, clientParams(client));
    assert.deepEqual(Object.keys(response.json), OAUTH_FIELDS);
  });

  describe('userinfo', () => {
    let token: string;
    before(async () => {
      token = (await codeFlow(client, 'openid profile email')).json['access_token'] as string;
    });

    const expected = () => ({
      sub: person.uid,
      name: 'Ada Lovelace',
      preferred_username: person.username,
      picture: `${server.url}/sys/portrait/item/${portraitOf(person.uid)}`,
      email: 'ada@example.com',
      email_verified: true,
    });

    it('GET with Bearer: the claims of the token’s scopes as JSON, no-store', async () => {
      const response = await fetch(`${server.url}/oauth/2.0/userinfo`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type')!, /^application\/json/);
      assert.equal(response.headers.get('cache-control'), 'no-store');
      const body = (await response.json()) as Record<string, unknown>;
      const user = (await server.instance.services.stores.users.findUserByUid(person.uid))!;
      assert.deepEqual(body, { ...expected(), updated_at: Math.floor(user.updatedAt / 1000) });
      assert.ok((body['picture'] as string).endsWith(portraitOf(person.uid)));
    });

    it('picture points at an image the server serves: an SVG silhouette, cacheable, script-proof; a bad handle is 404', async () => {
      const response = await fetch(expected().picture);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'image/svg+xml');
      assert.equal(response.headers.get('cache-control'), 'public, max-age=86400');
      assert.equal(response.headers.get('content-security-policy'), "default-src 'none'; style-src 'unsafe-inline'");
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      const svg = await response.text();
      assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>.*<\/svg>$/);
      assert.ok(!/script|href/i.test(svg));
      // The colour comes from the handle (one of 360 hues). These three users have three different hues
      // (241, 33, 131), so two at least differ from the random test user's: asking one alone failed
      // whenever that user drew the same hue (1 run in 360).
      const others = await Promise.all(['another-uid', 'a-third-uid', 'a-fourth-uid'].map(async (uid) => (await fetch(`${server.url}/sys/portrait/item/${portraitOf(uid)}`)).text()));
      assert.ok(others.some((other) => other !== svg), 'other users get other colours');
      for (const bad of ['nothex', `${portraitOf(person.uid)}0`, '..%2f..%2fetc']) {
        assert.equal((await fetch(`${server.url}/sys/portrait/item/${bad}`)).status, 404, bad);
      }
    });

    it('POST with the access_token form parameter answers the same', async () => {
      const get = await (await fetch(`${server.url}/oauth/2.0/userinfo`, { headers: { authorization: `Bearer ${token}` } })).json();
      const post = await call(server.url, '/oauth/2.0/userinfo', { access_token: token });
      assert.equal(post.status, 200);
      assert.deepEqual(post.json, get);
    });

    it('only the scopes granted: openid alone gives sub alone', async () => {
      const only = (await codeFlow(client, 'openid')).json['access_token'] as string;
      const response = await call(server.url, '/oauth/2.0/userinfo', {}, { method: 'GET', headers: { authorization: `Bearer ${only}` } });
      assert.deepEqual(response.json, { sub: person.uid });
    });

    it('a token without openid: 403 insufficient_scope naming openid', async () => {
      const baidu = (await codeFlow(client, 'basic email')).json['access_token'] as string;
      const response = await call(server.url, '/oauth/2.0/userinfo', {}, { method: 'GET', headers: { authorization: `Bearer ${baidu}` } });
      assert.equal(response.status, 403);
      assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="gatehouse", error="insufficient_scope", scope="openid"');
      assert.equal(response.json['error'], 'insufficient_scope');
      assert.equal(response.json['error_code'], 6);
    });

    it('no token: 401 without an error attribute, error_code 110', async () => {
      const response = await call(server.url, '/oauth/2.0/userinfo', {}, { method: 'GET' });
      assert.equal(response.status, 401);
      assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="gatehouse"');
      assert.equal(response.json['error'], 'invalid_token');
      assert.equal(response.json['error_code'], 110);
    });

    it('an unknown or revoked token: 401 invalid_token, error_code 110', async () => {
      const unknown = await call(server.url, '/oauth/2.0/userinfo', {}, { method: 'GET', headers: { authorization: 'Bearer 12345.nope' } });
      assert.equal(unknown.status, 401);
      assert.match(unknown.headers.get('www-authenticate')!, /^Bearer realm="gatehouse", error="invalid_token"/);
      assert.equal(unknown.json['error_code'], 110);
      const doomed = (await codeFlow(client, 'openid')).json['access_token'] as string;
      const revoke = await fetch(`${server.url}/oauth/2.0/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: doomed, ...clientParams(client) }),
      });
      assert.equal(revoke.status, 200);
      await revoke.arrayBuffer();
      const revoked = await call(server.url, '/oauth/2.0/userinfo', { access_token: doomed });
      assert.equal(revoked.status, 401);
      assert.equal(revoked.json['error_code'], 110);
    });

    it('PUT: 405', async () => {
      const response = await fetch(`${server.url}/oauth/2.0/userinfo`, { method: 'PUT' });
      assert.equal(response.status, 405);
    });
  });
});

describe('userinfo with an expired token', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ env: { GATEHOUSE_ACCESS_TOKEN_TTL: '1' } });
  });
  after(() => server.close());

  it('401 invalid_token with Baidu’s error_code 111', async () => {
    const user = await server.createUser();
    const c = await server.createApp({ redirectUris: [REDIRECT], scopes: ['openid'] });
    const final = await authorize(new Browser(server.url), { response_type: 'code', client_id: c.clientId, redirect_uri: REDIRECT, scope: 'openid' }, user);
    const code = redirectParams(final.location!).get('code')!;
    const tokens = await call(server.url, '/oauth/2.0/token', { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, ...clientParams(c) });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const response = await call(server.url, '/oauth/2.0/userinfo', { access_token: tokens.json['access_token'] as string });
    assert.equal(response.status, 401);
    assert.equal(response.json['error'], 'invalid_token');
    assert.equal(response.json['error_code'], 111);
  });
});
