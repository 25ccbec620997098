/**
 * Pushed authorization requests (RFC 9126, SPEC §8) over HTTP: the push, the
 * authorize request that runs it, and the attacks — a request_uri reused, of
 * another app, expired, guessed — each the invalid_request_uri page; errors
 * at push time are JSON as at the token endpoint; --require-par.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { authorize, Browser, redirectParams } from '../helpers/browserless-flow.js';
import { startServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'https://app.example.com/cb';

describe('PAR (RFC 9126): /oauth/2.0/par and authorize with request_uri', () => {
  let server: TestServer;
  let now = Date.now();
  let person: { username: string; password: string };
  let app: { clientId: string; clientSecret: string };
  let other: { clientId: string; clientSecret: string };

  const push = async (fields: Record<string, string>, client = app) =>
    fetch(`${server.url}/oauth/2.0/par`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: client.clientId, client_secret: client.clientSecret, ...fields }),
    });
  const pushed = async (fields: Record<string, string> = {}, client = app): Promise<string> => {
    const response = await push({ response_type: 'code', redirect_uri: REDIRECT, scope: 'basic', state: 'pushed-state', ...fields }, client);
    assert.equal(response.status, 201, await response.clone().text());
    return ((await response.json()) as { request_uri: string }).request_uri;
  };
  const errorPage = async (query: Record<string, string>) => {
    const page = await new Browser(server.url).request(`/oauth/2.0/authorize?${new URLSearchParams(query)}`);
    return { status: page.status, code: /data-error-code="([^"]+)"/.exec(page.body)?.[1], location: page.location };
  };

  before(async () => {
    server = await startServer({ deps: { clock: { now: () => now } } });
    const made = await server.createApp({ redirectUris: [REDIRECT] });
    app = { clientId: made.clientId, clientSecret: made.clientSecret! };
    const second = await server.createApp({ redirectUris: ['https://other.example.com/cb'], rootDomain: 'example.com' });
    other = { clientId: second.clientId, clientSecret: second.clientSecret! };
    person = await server.createUser();
  });
  after(() => server.close());

  test('answers 201 {request_uri, expires_in: 60}, not cached', async () => {
    const response = await push({ response_type: 'code', redirect_uri: REDIRECT, scope: 'basic' });
    assert.equal(response.status, 201);
    assert.match(response.headers.get('content-type')!, /^application\/json/);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const body = (await response.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['expires_in', 'request_uri']);
    assert.equal(body['expires_in'], 60);
    assert.match(body['request_uri'] as string, /^urn:ietf:params:oauth:request_uri:\d+\.[A-Za-z0-9._~-]{20,}$/);
  });

  test('authorize with client_id and request_uri runs the pushed request; front-channel parameters are ignored (RFC 9126 §4)', async () => {
    const requestUri = await pushed();
    const final = await authorize(
      new Browser(server.url),
      { client_id: app.clientId, request_uri: requestUri, redirect_uri: 'https://evil.example.com/cb', state: 'front-channel', scope: 'email' },
      person,
    );
    assert.equal(final.status, 302, final.body.slice(0, 300));
    const back = redirectParams(final.location!);
    assert.ok(final.location!.startsWith(`${REDIRECT}?`));
    assert.equal(back.get('state'), 'pushed-state');
    const token = await fetch(`${server.url}/oauth/2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'authorization_code', code: back.get('code')!, redirect_uri: REDIRECT, client_id: app.clientId, client_secret: app.clientSecret }),
    });
    assert.equal(token.status, 200);
    assert.equal(((await token.json()) as { scope: string }).scope, 'basic');
  });

  test('a request_uri used once is refused the second time: invalid_request_uri on the error page', async () => {
    const requestUri = await pushed();
    const first = await authorize(new Browser(server.url), { client_id: app.clientId, request_uri: requestUri }, person);
    assert.equal(first.status, 302);
    assert.deepEqual(await errorPage({ client_id: app.clientId, request_uri: requestUri }), { status: 400, code: 'invalid_request_uri', location: null });
  });

  test("another app's request_uri is refused, and stays usable by its own app", async () => {
    const requestUri = await pushed();
    assert.deepEqual(await errorPage({ client_id: other.clientId, request_uri: requestUri }), { status: 400, code: 'invalid_request_uri', location: null });
    const own = await authorize(new Browser(server.url), { client_id: app.clientId, request_uri: requestUri }, person);
    assert.equal(own.status, 302);
  });

  test('an expired request_uri is refused (GATEHOUSE_PAR_TTL, default 60 s)', async () => {
    const requestUri = await pushed();
    now += 61_000;
    assert.deepEqual(await errorPage({ client_id: app.clientId, request_uri: requestUri }), { status: 400, code: 'invalid_request_uri', location: null });
  });

  test('a guessed request_uri is refused, and guessing does not use up the real one', async () => {
    const requestUri = await pushed();
    const id = requestUri.slice('urn:ietf:params:oauth:request_uri:'.length).split('.')[0]!;
    for (const guess of [`urn:ietf:params:oauth:request_uri:${id}.wrongsecretwrongsecretwrong`, 'urn:ietf:params:oauth:request_uri:1.x', `urn:ietf:params:oauth:request_uri:${id}`, 'https://evil.example.com/request.jwt', '']) {
      assert.deepEqual(await errorPage({ client_id: app.clientId, request_uri: guess }), { status: 400, code: 'invalid_request_uri', location: null }, guess);
    }
    const real = await authorize(new Browser(server.url), { client_id: app.clientId, request_uri: requestUri }, person);
    assert.equal(real.status, 302);
  });

  test('every check of the authorization endpoint runs at push time, answered as JSON like the token endpoint', async () => {
    const cases: Array<[Record<string, string>, number, string]> = [
      [{ response_type: 'code', redirect_uri: 'https://evil.example.net/cb' }, 400, 'redirect_uri_mismatch'],
      [{ response_type: 'code' }, 400, 'invalid_request'],
      [{ response_type: 'bogus', redirect_uri: REDIRECT }, 400, 'unsupported_response_type'],
      [{ response_type: 'code', redirect_uri: REDIRECT, scope: 'nope' }, 400, 'invalid_scope'],
      [{ response_type: 'code', redirect_uri: REDIRECT, request_uri: 'urn:ietf:params:oauth:request_uri:1.x' }, 400, 'invalid_request'],
      [{ response_type: 'code', redirect_uri: REDIRECT, client_secret: 'wrong' }, 401, 'invalid_client'],
    ];
    for (const [fields, status, code] of cases) {
      const response = await push(fields);
      assert.equal(response.status, status, JSON.stringify(fields));
      assert.equal(response.headers.get('cache-control'), 'no-store');
      const body = (await response.json()) as Record<string, string>;
      assert.equal(body['error'], code, JSON.stringify(fields));
      assert.equal(body['error_uri'], `${server.url}/oauth/2.0/errors/${code}`);
    }
    const anonymous = await fetch(`${server.url}/oauth/2.0/par`, { method: 'POST', body: new URLSearchParams({ response_type: 'code', redirect_uri: REDIRECT }) });
    assert.equal(anonymous.status, 400);
    assert.equal(((await anonymous.json()) as { error: string }).error, 'invalid_request');
  });

  test('--require-par: a front-channel request is the invalid_request page; a pushed one goes through sign-in and consent', async () => {
    const made = await server.createApp({ redirectUris: [REDIRECT], requirePar: true });
    const strict = { clientId: made.clientId, clientSecret: made.clientSecret! };
    assert.deepEqual(await errorPage({ client_id: strict.clientId, response_type: 'code', redirect_uri: REDIRECT }), { status: 400, code: 'invalid_request', location: null });
    const requestUri = await pushed({}, strict);
    const final = await authorize(new Browser(server.url), { client_id: strict.clientId, request_uri: requestUri }, person);
    assert.equal(final.status, 302, final.body.slice(0, 300));
    assert.ok(redirectParams(final.location!).get('code'));
  });
});

test('GATEHOUSE_PAR_TTL sets expires_in', async () => {
  const server = await startServer({ env: { GATEHOUSE_PAR_TTL: '120' } });
  try {
    const { clientId, clientSecret } = await server.createApp({ redirectUris: [REDIRECT] });
    const response = await fetch(`${server.url}/oauth/2.0/par`, {
      method: 'POST',
      body: new URLSearchParams({ client_id: clientId, client_secret: clientSecret!, response_type: 'code', redirect_uri: REDIRECT }),
    });
    assert.equal(response.status, 201);
    assert.equal(((await response.json()) as { expires_in: number }).expires_in, 120);
  } finally {
    await server.close();
  }
});
