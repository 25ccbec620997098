import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { authorize, Browser, redirectParams } from '../helpers/browserless-flow.js';
import { startServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'https://app.example.com/cb';

/** getLoggedInUser (RFC 6750 + Baidu error_code) and Baidu's tokeninfo. */
describe('protected resource and token check', () => {
  let server: TestServer;
  let app: { clientId: string; clientSecret: string };
  let person: { username: string; password: string; uid: string };
  let tokens: { access_token: string; refresh_token: string };

  async function codeFlowTokens(): Promise<{ access_token: string; refresh_token: string }> {
    const final = await authorize(new Browser(server.url), { response_type: 'code', client_id: app.clientId, redirect_uri: REDIRECT }, person);
    const code = redirectParams(final.location!).get('code')!;
    const response = await fetch(`${server.url}/oauth/2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: app.clientId, client_secret: app.clientSecret }),
    });
    return (await response.json()) as { access_token: string; refresh_token: string };
  }

  before(async () => {
    server = await startServer();
    const made = await server.createApp({ redirectUris: [REDIRECT] });
    app = { clientId: made.clientId, clientSecret: made.clientSecret! };
    person = await server.createUser();
    tokens = await codeFlowTokens();
  });
  after(() => server.close());

  const userInfo = (init: { query?: string; headers?: Record<string, string> } = {}) =>
    fetch(`${server.url}/rest/2.0/passport/users/getLoggedInUser${init.query ?? ''}`, { headers: init.headers ?? {} });

  test('getLoggedInUser answers uid, uname and portrait for a Bearer token', async () => {
    const response = await userInfo({ headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.equal(body.uid, person.uid);
    assert.equal(body.uname, person.username);
    assert.match(body.portrait, /^[0-9a-f]{32}$/);
  });

  test('getLoggedInUser accepts the access_token parameter (Baidu)', async () => {
    const response = await userInfo({ query: `?access_token=${tokens.access_token}` });
    assert.equal(response.status, 200);
    assert.equal((await response.json()).uid, person.uid);
  });

  test('getLoggedInUser without a token: 401, a challenge without error attribute, error_code 110', async () => {
    const response = await userInfo();
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="gatehouse"');
    const body = await response.json();
    assert.equal(body.error, 'invalid_token');
    assert.equal(body.error_code, 110);
  });

  test('getLoggedInUser with an unknown token: 401 invalid_token, error_code 110', async () => {
    const response = await userInfo({ headers: { authorization: `Bearer 123.${'A'.repeat(43)}` } });
    assert.equal(response.status, 401);
    assert.match(response.headers.get('www-authenticate')!, /^Bearer realm="gatehouse", error="invalid_token"/);
    const body = await response.json();
    assert.equal(body.error, 'invalid_token');
    assert.equal(body.error_code, 110);
    assert.equal(body.error_msg, 'Access token invalid or no longer valid');
  });

  test('getLoggedInUser with the token sent two ways: 400 invalid_request, Baidu error_code 100', async () => {
    const response = await userInfo({ query: `?access_token=${tokens.access_token}`, headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="gatehouse", error="invalid_request"');
    const body = await response.json();
    assert.equal(body.error, 'invalid_request');
    assert.match(body.error_description, /two ways/);
    assert.equal(body.error_code, 100);
  });

  test('getLoggedInUser with an expired token: error_code 111', async () => {
    const short = await startServer({ env: { GATEHOUSE_ACCESS_TOKEN_TTL: '1' } });
    try {
      const made = await short.createApp({ redirectUris: [REDIRECT] });
      const who = await short.createUser();
      const final = await authorize(new Browser(short.url), { response_type: 'token', client_id: made.clientId, redirect_uri: REDIRECT }, who);
      const access = redirectParams(final.location!, 'fragment').get('access_token')!;
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const response = await fetch(`${short.url}/rest/2.0/passport/users/getLoggedInUser`, { headers: { authorization: `Bearer ${access}` } });
      assert.equal(response.status, 401);
      const body = await response.json();
      assert.equal(body.error, 'invalid_token');
      assert.equal(body.error_code, 111);
      assert.equal(body.error_msg, 'Access token expired');
    } finally {
      await short.close();
    }
  });

  test('tokeninfo answers client_id, userid, scope, create_time and expire_in', async () => {
    const before = Math.floor(Date.now() / 1000);
    const response = await fetch(`${server.url}/oauth/2.0/tokeninfo?access_token=${tokens.access_token}`);
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.deepEqual(Object.keys(body).sort(), ['client_id', 'create_time', 'expire_in', 'scope', 'userid']);
    assert.equal(body.client_id, app.clientId);
    assert.equal(body.userid, person.uid);
    assert.equal(body.scope, 'basic');
    assert.ok(body.create_time <= before + 1 && body.create_time > before - 60);
    assert.ok(body.expire_in > 2592000 - 60 && body.expire_in <= 2592000);
  });

  test('tokeninfo by POST form too', async () => {
    const response = await fetch(`${server.url}/oauth/2.0/tokeninfo`, { method: 'POST', body: new URLSearchParams({ access_token: tokens.access_token }) });
    assert.equal(response.status, 200);
  });

  for (const [what, token] of [
    ['an unknown token', () => `999.${'B'.repeat(43)}`],
    ['a malformed token', () => 'garbage'],
    ['a refresh token', () => tokens.refresh_token],
  ] as const) {
    test(`tokeninfo answers 400 invalid_grant for ${what}`, async () => {
      const response = await fetch(`${server.url}/oauth/2.0/tokeninfo?access_token=${encodeURIComponent(token())}`);
      assert.equal(response.status, 400);
      assert.equal(response.headers.get('cache-control'), 'no-store');
      assert.equal((await response.json()).error, 'invalid_grant');
    });
  }

  test('tokeninfo answers invalid_request without an access_token', async () => {
    const response = await fetch(`${server.url}/oauth/2.0/tokeninfo`);
    assert.equal(response.status, 400);
    const body = await response.json();
    assert.equal(body.error, 'invalid_request');
    assert.match(body.error_description, /access_token/);
  });

  test('a revoked (replayed-family) token is invalid for both calls', async () => {
    const pair = await codeFlowTokens();
    const creds = { client_id: app.clientId, client_secret: app.clientSecret };
    const refresh = (token: string) => fetch(`${server.url}/oauth/2.0/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token, ...creds }) });
    const next = await (await refresh(pair.refresh_token)).json();
    await refresh(pair.refresh_token); // replay: revokes the family
    const info = await fetch(`${server.url}/oauth/2.0/tokeninfo?access_token=${next.access_token}`);
    assert.equal((await info.json()).error, 'invalid_grant');
    const user = await userInfo({ headers: { authorization: `Bearer ${next.access_token}` } });
    assert.equal(user.status, 401);
    assert.equal((await user.json()).error_code, 110);
  });

  test('/health answers with the database checked', async () => {
    const response = await fetch(`${server.url}/health`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'ok', database: 'ok' });
  });
});
