import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { authorize, Browser, redirectParams } from '../helpers/browserless-flow.js';
import { startServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'https://app.example.com/cb';

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

/** SPEC §3/§4 at /oauth/2.0/token: exact status, headers and body of every outcome. */
describe('token endpoint', () => {
  let server: TestServer;
  let app: { clientId: string; clientSecret: string };
  let other: { clientId: string; clientSecret: string };
  let person: { username: string; password: string };

  async function post(form: Record<string, string> | string, headers: Record<string, string> = {}) {
    const body = typeof form === 'string' ? form : new URLSearchParams(form).toString();
    const response = await fetch(`${server.url}/oauth/2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
    });
    return { response, json: (await response.json()) as Record<string, unknown> };
  }

  async function newCode(extra: Record<string, string> = {}, who = app): Promise<string> {
    const final = await authorize(new Browser(server.url), { response_type: 'code', client_id: who.clientId, redirect_uri: REDIRECT, ...extra }, person);
    return redirectParams(final.location!).get('code')!;
  }

  function assertError(result: { response: Response; json: Record<string, unknown> }, status: number, code: string, description?: RegExp) {
    assert.equal(result.response.status, status);
    assert.equal(result.response.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.equal(result.response.headers.get('cache-control'), 'no-store');
    assert.equal(result.json['error'], code);
    assert.equal(typeof result.json['error_description'], 'string');
    if (description) assert.match(result.json['error_description'] as string, description);
    assert.equal(result.json['error_uri'], `${server.url}/oauth/2.0/errors/${code}`);
    assert.deepEqual(Object.keys(result.json).sort(), ['error', 'error_description', 'error_uri']);
  }

  before(async () => {
    server = await startServer({ env: { GATEHOUSE_REFRESH_TOKEN_TTL: '3600' } });
    const made = await server.createApp({ redirectUris: [REDIRECT], scopes: ['basic', 'email'] });
    app = { clientId: made.clientId, clientSecret: made.clientSecret! };
    const second = await server.createApp({ redirectUris: [REDIRECT] });
    other = { clientId: second.clientId, clientSecret: second.clientSecret! };
    person = await server.createUser();
  });
  after(() => server.close());

  test('answers client_credentials with a Bearer token, no refresh token, and no-store headers', async () => {
    const { response, json } = await post({ grant_type: 'client_credentials' }, { authorization: basic(app.clientId, app.clientSecret) });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.equal(response.headers.get('pragma'), 'no-cache');
    assert.deepEqual(Object.keys(json).sort(), ['access_token', 'expires_in', 'scope', 'token_type']);
    assert.equal(json['token_type'], 'Bearer');
    assert.equal(json['expires_in'], 2592000);
    assert.equal(json['scope'], 'basic');
  });

  test('accepts Baidu-style GET with the credentials in the query', async () => {
    const query = new URLSearchParams({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret, scope: 'basic,email' });
    const response = await fetch(`${server.url}/oauth/2.0/token?${query}`);
    assert.equal(response.status, 200);
    assert.equal((await response.json()).scope, 'basic email');
  });

  test('exchanges a code for an access and a refresh token, then refreshes them (rotation)', async () => {
    const code = await newCode({ scope: 'basic email' });
    const first = await post({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: app.clientId, client_secret: app.clientSecret });
    assert.equal(first.response.status, 200);
    assert.deepEqual(Object.keys(first.json).sort(), ['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type']);
    const refreshed = await post({ grant_type: 'refresh_token', refresh_token: first.json['refresh_token'] as string, scope: 'basic' }, { authorization: basic(app.clientId, app.clientSecret) });
    assert.equal(refreshed.response.status, 200);
    assert.equal(refreshed.json['scope'], 'basic');
    assert.notEqual(refreshed.json['refresh_token'], first.json['refresh_token']);
  });

  describe('invalid_request', () => {
    test('for a missing grant_type', async () => {
      assertError(await post({ client_id: app.clientId, client_secret: app.clientSecret }), 400, 'invalid_request', /grant_type/);
    });
    test('for a repeated parameter', async () => {
      assertError(await post(`grant_type=client_credentials&grant_type=client_credentials&client_id=${app.clientId}&client_secret=${app.clientSecret}`), 400, 'invalid_request', /grant_type is repeated/);
    });
    test('for a parameter sent in both the query and the body', async () => {
      const response = await fetch(`${server.url}/oauth/2.0/token?client_id=${app.clientId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret }),
      });
      assertError({ response, json: await response.json() }, 400, 'invalid_request', /client_id is repeated/);
    });
    test('for credentials sent two ways (HTTP Basic and client_secret)', async () => {
      assertError(await post({ grant_type: 'client_credentials', client_secret: app.clientSecret }, { authorization: basic(app.clientId, app.clientSecret) }), 400, 'invalid_request', /two ways/);
    });
    test('for a client_id parameter that differs from the Basic user', async () => {
      assertError(await post({ grant_type: 'client_credentials', client_id: other.clientId }, { authorization: basic(app.clientId, app.clientSecret) }), 400, 'invalid_request', /differs/);
    });
    test('but not for a client_id parameter equal to the Basic user', async () => {
      const { response } = await post({ grant_type: 'client_credentials', client_id: app.clientId }, { authorization: basic(app.clientId, app.clientSecret) });
      assert.equal(response.status, 200);
    });
    test('for a JSON body', async () => {
      assertError(await post('{"grant_type":"client_credentials"}', { 'content-type': 'application/json' }), 400, 'invalid_request', /Content-Type/);
    });
    test('for invalid percent-encoding', async () => {
      assertError(await post('grant_type=client_%ZZcredentials'), 400, 'invalid_request', /percent-encoding/);
    });
    test('for a body that is not UTF-8', async () => {
      const response = await fetch(`${server.url}/oauth/2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: Buffer.from([0x67, 0x3d, 0xff, 0xfe]),
      });
      assertError({ response, json: await response.json() }, 400, 'invalid_request', /UTF-8/);
    });
    test('for a missing code', async () => {
      assertError(await post({ grant_type: 'authorization_code', redirect_uri: REDIRECT, client_id: app.clientId, client_secret: app.clientSecret }), 400, 'invalid_request', /code/);
    });
    test('with status 413 for a body over 64 KiB', async () => {
      assertError(await post(`grant_type=client_credentials&pad=${'a'.repeat(70 * 1024)}`), 413, 'invalid_request', /larger than 65536/);
    });
    test('with status 405 and Allow for a wrong method', async () => {
      const response = await fetch(`${server.url}/oauth/2.0/token`, { method: 'DELETE' });
      assert.equal(response.headers.get('allow'), 'GET, POST, HEAD');
      assertError({ response, json: await response.json() }, 405, 'invalid_request');
    });
    test('with status 404 for an unknown OAuth path', async () => {
      const response = await fetch(`${server.url}/oauth/2.0/nothing-here`);
      assertError({ response, json: await response.json() }, 404, 'invalid_request', /no endpoint/);
    });
  });

  describe('invalid_client', () => {
    test('for an unknown client_id, 401 without WWW-Authenticate when Basic was not used', async () => {
      const result = await post({ grant_type: 'client_credentials', client_id: 'nobody', client_secret: 'x' });
      assertError(result, 401, 'invalid_client', /unknown client_id/);
      assert.equal(result.response.headers.get('www-authenticate'), null);
    });
    test('for a wrong secret over HTTP Basic, 401 with WWW-Authenticate: Basic', async () => {
      const result = await post({ grant_type: 'client_credentials' }, { authorization: basic(app.clientId, 'Zq9-never-echoed') });
      assertError(result, 401, 'invalid_client', /client_secret is wrong/);
      assert.equal(result.response.headers.get('www-authenticate'), 'Basic realm="gatehouse"');
      assert.ok(!JSON.stringify(result.json).includes('Zq9-never-echoed'), 'the secret is never echoed');
    });
    test('for a missing secret of a confidential app', async () => {
      assertError(await post({ grant_type: 'client_credentials', client_id: app.clientId }), 401, 'invalid_client', /missing client_secret/);
    });
    test('for a disabled app', async () => {
      const made = await server.createApp();
      await server.instance.services.stores.apps.updateApp(made.clientId, { disabled: true });
      assertError(await post({ grant_type: 'client_credentials', client_id: made.clientId, client_secret: made.clientSecret! }), 401, 'invalid_client', /disabled/);
    });
  });

  describe('invalid_grant', () => {
    const exchange = (code: string, extra: Record<string, string> = {}, who = app) =>
      post({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: who.clientId, client_secret: who.clientSecret, ...extra });

    test('for an unknown code', async () => {
      assertError(await exchange('12345.' + 'A'.repeat(43)), 400, 'invalid_grant', /unknown/);
    });
    test('for a code used twice, and the tokens of the first exchange are revoked', async () => {
      const code = await newCode();
      const first = await exchange(code);
      assert.equal(first.response.status, 200);
      assertError(await exchange(code), 400, 'invalid_grant', /already been used/);
      const info = await fetch(`${server.url}/oauth/2.0/tokeninfo?access_token=${first.json['access_token']}`);
      assert.equal((await info.json()).error, 'invalid_grant');
      const refresh = await post({ grant_type: 'refresh_token', refresh_token: first.json['refresh_token'] as string, client_id: app.clientId, client_secret: app.clientSecret });
      assertError(refresh, 400, 'invalid_grant', /revoked/);
    });
    test("for another app's code", async () => {
      assertError(await exchange(await newCode(), {}, other), 400, 'invalid_grant', /another app/);
    });
    test('for a redirect_uri that differs from the authorization request', async () => {
      assertError(await exchange(await newCode(), { redirect_uri: 'https://app.example.com/other' }), 400, 'invalid_grant', /redirect_uri/);
    });
    test('for a wrong PKCE code_verifier, and for a missing one', async () => {
      const verifier = 'v'.repeat(50);
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      const code = await newCode({ code_challenge: challenge, code_challenge_method: 'S256' });
      assertError(await exchange(code, { code_verifier: 'w'.repeat(50) }), 400, 'invalid_grant', /code_verifier/);
      const again = await newCode({ code_challenge: challenge, code_challenge_method: 'S256' });
      assertError(await exchange(again), 400, 'invalid_grant', /code_verifier/);
      const good = await newCode({ code_challenge: challenge, code_challenge_method: 'S256' });
      assert.equal((await exchange(good, { code_verifier: verifier })).response.status, 200);
    });
    test("for another app's refresh token", async () => {
      const first = await exchange(await newCode());
      assertError(await post({ grant_type: 'refresh_token', refresh_token: first.json['refresh_token'] as string, client_id: other.clientId, client_secret: other.clientSecret }), 400, 'invalid_grant', /another app/);
    });
  });

  describe('expired_token', () => {
    test('for a reused refresh token, and its whole family is revoked', async () => {
      const first = await post({ grant_type: 'authorization_code', code: await newCode(), redirect_uri: REDIRECT, client_id: app.clientId, client_secret: app.clientSecret });
      const creds = { client_id: app.clientId, client_secret: app.clientSecret };
      const second = await post({ grant_type: 'refresh_token', refresh_token: first.json['refresh_token'] as string, ...creds });
      assert.equal(second.response.status, 200);
      assertError(await post({ grant_type: 'refresh_token', refresh_token: first.json['refresh_token'] as string, ...creds }), 400, 'expired_token');
      // The replay revoked the family: the token pair from the legitimate refresh is dead too.
      const info = await fetch(`${server.url}/oauth/2.0/tokeninfo?access_token=${second.json['access_token']}`);
      assert.equal(info.status, 400);
      assertError(await post({ grant_type: 'refresh_token', refresh_token: second.json['refresh_token'] as string, ...creds }), 400, 'invalid_grant', /revoked/);
      // A used refresh token stays expired_token even after its family was revoked.
      assertError(await post({ grant_type: 'refresh_token', refresh_token: first.json['refresh_token'] as string, ...creds }), 400, 'expired_token');
    });
  });

  describe('unauthorized_client, unsupported_grant_type, invalid_scope', () => {
    test('unauthorized_client for a grant the app has not enabled', async () => {
      const made = await server.createApp({ grantTypes: ['authorization_code'] });
      assertError(await post({ grant_type: 'client_credentials', client_id: made.clientId, client_secret: made.clientSecret! }), 400, 'unauthorized_client', /client_credentials/);
    });
    test('unauthorized_client for client_credentials from a public app', async () => {
      const made = await server.createApp({ isPublic: true });
      assertError(await post({ grant_type: 'client_credentials', client_id: made.clientId }), 400, 'unauthorized_client', /public/);
    });
    test('unsupported_grant_type for an unknown grant_type', async () => {
      assertError(await post({ grant_type: 'password', client_id: app.clientId, client_secret: app.clientSecret }), 400, 'unsupported_grant_type', /password/);
    });
    test('invalid_scope for a scope the app may not request', async () => {
      assertError(await post({ grant_type: 'client_credentials', scope: 'admin', client_id: app.clientId, client_secret: app.clientSecret }), 400, 'invalid_scope');
    });
    test('invalid_scope for a refresh asking for more than was granted', async () => {
      const first = await post({ grant_type: 'authorization_code', code: await newCode({ scope: 'basic' }), redirect_uri: REDIRECT, client_id: app.clientId, client_secret: app.clientSecret });
      assertError(await post({ grant_type: 'refresh_token', refresh_token: first.json['refresh_token'] as string, scope: 'basic email', client_id: app.clientId, client_secret: app.clientSecret }), 400, 'invalid_scope');
    });
  });

  test('ignores parameters it does not know', async () => {
    const { response } = await post({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret, foo: 'bar', device_id: 'x' });
    assert.equal(response.status, 200);
  });
});
