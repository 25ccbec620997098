/**
 * The authorize side of OpenID Connect (SPEC §7 "ID tokens", "Prompt and age",
 * "RFC 9207"): id_token response types, prompt, max_age, id_token_hint, the
 * issuer on every response — each asserted on the wire.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { authorize, Browser, redirectParams, type PageResponse } from '../helpers/browserless-flow.js';
import { startServer, type TestServer } from '../helpers/server.js';

describe('authorize: OpenID Connect', () => {
  let server: TestServer;
  let clientId: string;
  let person: { username: string; password: string; uid: string };
  const redirectUri = 'https://app.example.com/cb';
  const openidScope = 'openid profile email';

  before(async () => {
    server = await startServer();
    ({ clientId } = await server.createApp({ redirectUris: [redirectUri], scopes: ['basic', 'email', 'openid', 'profile'] }));
    person = await server.createUser();
  });
  after(() => server.close());

  const query = (params: Record<string, string>) => `/oauth/2.0/authorize?${new URLSearchParams({ client_id: clientId, redirect_uri: redirectUri, ...params })}`;

  /** A browser whose person is signed in and has approved `scope` for the app. */
  async function signedIn(scope = openidScope, who = person): Promise<Browser> {
    const browser = new Browser(server.url);
    const final = await authorize(browser, { response_type: 'code', client_id: clientId, redirect_uri: redirectUri, scope }, who);
    assert.equal(final.status, 302, final.body.slice(0, 300));
    return browser;
  }

  /** Asserts a 302 to the app carrying exactly `error`, state and iss, in `where`. */
  function assertErrorBack(page: PageResponse, error: string, where: 'query' | 'fragment', state: string, description?: RegExp): URLSearchParams {
    assert.equal(page.status, 302, page.body.slice(0, 300));
    assert.equal(page.headers.get('cache-control'), 'no-store');
    const location = new URL(page.location!);
    assert.equal(`${location.origin}${location.pathname}`, redirectUri);
    if (where === 'fragment') assert.equal(location.search, '', 'nothing in the query');
    else assert.equal(location.hash, '', 'nothing in the fragment');
    const back = redirectParams(page.location!, where);
    assert.deepEqual([...back.keys()], ['error', 'error_description', 'error_uri', 'state', 'iss']);
    assert.equal(back.get('error'), error);
    assert.equal(back.get('error_uri'), `${server.url}/oauth/2.0/errors/${error}`);
    assert.equal(back.get('state'), state);
    assert.equal(back.get('iss'), server.url);
    if (description) assert.match(back.get('error_description')!, description);
    return back;
  }

  const jwks = () => createRemoteJWKSet(new URL(`${server.url}/oauth/2.0/jwks`));

  describe('RFC 9207 iss', () => {
    test('a Baidu code redirect is code, state, then iss: nothing else changed', async () => {
      const final = await authorize(new Browser(server.url), { response_type: 'code', client_id: clientId, redirect_uri: redirectUri, state: 'xyz' }, person);
      assert.equal(final.status, 302);
      const code = redirectParams(final.location!).get('code')!;
      assert.match(code, /^\d+\.[A-Za-z0-9_-]{43}$/);
      assert.equal(final.location, `https://app.example.com/cb?code=${encodeURIComponent(code)}&state=xyz&iss=${encodeURIComponent(server.url)}`);
      assert.deepEqual([...redirectParams(final.location!).keys()], ['code', 'state', 'iss']);
      assert.equal(redirectParams(final.location!).get('iss'), server.url);
    });

    test('the implicit fragment carries iss after state', async () => {
      const final = await authorize(new Browser(server.url), { response_type: 'token', client_id: clientId, redirect_uri: redirectUri, state: 's' }, person);
      const fragment = redirectParams(final.location!, 'fragment');
      assert.deepEqual([...fragment.keys()], ['access_token', 'token_type', 'expires_in', 'scope', 'state', 'iss']);
      assert.equal(fragment.get('iss'), server.url);
    });

    test('error redirects carry iss in the query (code) and in the fragment (token)', async () => {
      const browser = new Browser(server.url);
      assertErrorBack(await browser.request(query({ response_type: 'code', scope: 'nope', state: 'q' })), 'invalid_scope', 'query', 'q');
      assertErrorBack(await browser.request(query({ response_type: 'token', scope: 'nope', state: 'f' })), 'invalid_scope', 'fragment', 'f');
    });

    test('the oob landing URL carries iss, for a code and for an error', async () => {
      const final = await authorize(new Browser(server.url), { response_type: 'code', client_id: clientId, redirect_uri: 'oob', state: 'o' }, person);
      const url = new URL(final.location!);
      assert.equal(url.pathname, '/oauth/2.0/login_success');
      assert.deepEqual([...url.searchParams.keys()], ['code', 'state', 'iss']);
      assert.equal(url.searchParams.get('iss'), server.url);
      const error = await new Browser(server.url).request(`/oauth/2.0/authorize?${new URLSearchParams({ client_id: clientId, redirect_uri: 'oob', response_type: 'code', scope: 'nope' })}`);
      const errorUrl = new URL(error.location!);
      assert.equal(errorUrl.pathname, '/oauth/2.0/login_success');
      assert.equal(errorUrl.searchParams.get('error'), 'invalid_scope');
      assert.equal(errorUrl.searchParams.get('iss'), server.url);
    });
  });

  describe('response types id_token and "id_token token"', () => {
    test('id_token: a signed id_token with nonce, auth_time, sid and the scope claims, in the fragment with state and iss', async () => {
      const browser = await signedIn();
      const page = await browser.request(query({ response_type: 'id_token', scope: openidScope, nonce: 'n-0S6_WzA2Mj', state: 'st' }));
      assert.equal(page.status, 302);
      const location = new URL(page.location!);
      assert.equal(location.search, '');
      const fragment = redirectParams(page.location!, 'fragment');
      assert.deepEqual([...fragment.keys()], ['id_token', 'state', 'iss']);
      assert.equal(fragment.get('state'), 'st');
      assert.equal(fragment.get('iss'), server.url);
      const { payload, protectedHeader } = await jwtVerify(fragment.get('id_token')!, jwks(), { issuer: server.url, audience: clientId });
      assert.equal(protectedHeader.alg, 'RS256');
      assert.equal(payload.sub, person.uid);
      assert.equal(payload['nonce'], 'n-0S6_WzA2Mj');
      assert.equal(payload['azp'], clientId);
      assert.equal(typeof payload['auth_time'], 'number');
      assert.equal(typeof payload['sid'], 'string');
      assert.equal(payload['at_hash'], undefined, 'no access token, no at_hash');
      assert.equal(payload['preferred_username'], person.username, 'the profile claims ride in the id_token when no access token is issued');
    });

    test('"id_token token": an access token, and an id_token whose at_hash is of it', async () => {
      const browser = await signedIn();
      const page = await browser.request(query({ response_type: 'id_token token', scope: openidScope, nonce: 'n2', state: 'st' }));
      const fragment = redirectParams(page.location!, 'fragment');
      assert.deepEqual([...fragment.keys()], ['access_token', 'token_type', 'expires_in', 'scope', 'id_token', 'state', 'iss']);
      const { payload } = await jwtVerify(fragment.get('id_token')!, jwks(), { issuer: server.url, audience: clientId });
      const { createHash } = await import('node:crypto');
      const expected = createHash('sha256').update(fragment.get('access_token')!).digest().subarray(0, 16).toString('base64url');
      assert.equal(payload['at_hash'], expected);
      assert.equal(payload['nonce'], 'n2');
      assert.equal(payload['preferred_username'], undefined, 'beside an access token the claims stay at userinfo');
    });

    for (const responseType of ['id_token', 'id_token token']) {
      test(`${responseType} without nonce: invalid_request in the fragment with state and iss`, async () => {
        const page = await new Browser(server.url).request(query({ response_type: responseType, scope: openidScope, state: 'no-nonce' }));
        assertErrorBack(page, 'invalid_request', 'fragment', 'no-nonce', /nonce/);
      });
    }

    test('id_token without the openid scope: invalid_request in the fragment', async () => {
      const page = await new Browser(server.url).request(query({ response_type: 'id_token', scope: 'basic', nonce: 'n', state: 's' }));
      assertErrorBack(page, 'invalid_request', 'fragment', 's', /openid/);
    });

    test('an app that disabled id_token gets unsupported_response_type in the fragment', async () => {
      const { clientId: codeOnly } = await server.createApp({ redirectUris: [redirectUri], responseTypes: ['code'], scopes: ['openid'] });
      const page = await new Browser(server.url).request(`/oauth/2.0/authorize?${new URLSearchParams({ client_id: codeOnly, redirect_uri: redirectUri, response_type: 'id_token', scope: 'openid', nonce: 'n', state: 's' })}`);
      assertErrorBack(page, 'unsupported_response_type', 'fragment', 's', /disabled response_type id_token/);
    });

    test('"id_token token" follows the implicit Referer rule: a foreign Referer gets the invalid_referer page', async () => {
      const page = await new Browser(server.url).request(query({ response_type: 'id_token token', scope: openidScope, nonce: 'n' }), { headers: { referer: 'https://evil.com/' } });
      assert.equal(page.status, 400);
      assert.equal(page.location, null);
      assert.match(page.body, /data-error-code="invalid_referer"/);
    });

    test('a code request with openid keeps nonce, auth_time and sid with the code for the token endpoint', async () => {
      const browser = await signedIn();
      const page = await browser.request(query({ response_type: 'code', scope: openidScope, nonce: 'code-nonce' }));
      const code = redirectParams(page.location!).get('code')!;
      const row = await server.instance.services.stores.codes.findCode(Number(code.split('.')[0]));
      assert.equal(row?.signIn?.nonce, 'code-nonce');
      assert.equal(typeof row?.signIn?.authTime, 'number');
      assert.match(row!.signIn!.sid, /^[A-Za-z0-9_-]{16,}$/);
      const plain = await browser.request(query({ response_type: 'code', scope: 'basic' }));
      const plainRow = await server.instance.services.stores.codes.findCode(Number(redirectParams(plain.location!).get('code')!.split('.')[0]));
      assert.equal(plainRow?.signIn, null, 'no sign-in context without openid');
    });
  });

  describe('prompt', () => {
    test('prompt=none without a session: login_required in the query for code', async () => {
      assertErrorBack(await new Browser(server.url).request(query({ response_type: 'code', scope: openidScope, prompt: 'none', state: 'p1' })), 'login_required', 'query', 'p1');
    });

    test('prompt=none without a session: login_required in the fragment for id_token', async () => {
      const page = await new Browser(server.url).request(query({ response_type: 'id_token', scope: openidScope, nonce: 'n', prompt: 'none', state: 'p2' }));
      assertErrorBack(page, 'login_required', 'fragment', 'p2');
    });

    test('prompt=none with consent pending: consent_required', async () => {
      const browser = await signedIn('openid', await server.createUser());
      assertErrorBack(await browser.request(query({ response_type: 'code', scope: 'openid email', prompt: 'none', state: 'p3' })), 'consent_required', 'query', 'p3');
    });

    test('prompt=none with a session and consent: the code, without any page', async () => {
      const browser = await signedIn();
      const page = await browser.request(query({ response_type: 'code', scope: openidScope, prompt: 'none', state: 'p4' }));
      assert.equal(page.status, 302);
      assert.deepEqual([...redirectParams(page.location!).keys()], ['code', 'state', 'iss']);
    });

    test('prompt=none with confirm_login=1, or with another prompt value: interaction_required', async () => {
      const browser = await signedIn();
      assertErrorBack(await browser.request(query({ response_type: 'code', scope: openidScope, prompt: 'none', confirm_login: '1', state: 'p5' })), 'interaction_required', 'query', 'p5');
      assertErrorBack(await browser.request(query({ response_type: 'code', scope: openidScope, prompt: 'none login', state: 'p6' })), 'interaction_required', 'query', 'p6');
    });

    test('an unknown prompt value: invalid_request naming prompt', async () => {
      assertErrorBack(await new Browser(server.url).request(query({ response_type: 'code', prompt: 'select_account', state: 'p7' })), 'invalid_request', 'query', 'p7', /prompt/);
    });

    test('prompt=login asks for the password of a signed-in person, then completes', async () => {
      const browser = await signedIn();
      const page = await browser.request(query({ response_type: 'code', scope: openidScope, prompt: 'login' }));
      assert.equal(page.status, 200);
      assert.match(page.body, /name="password"/);
      const done = await browser.submit(page, { username: person.username, password: person.password });
      assert.equal(done.status, 302);
      assert.ok(redirectParams(done.location!).get('code'));
    });

    test('prompt=consent shows the consent form although consent is remembered', async () => {
      const browser = await signedIn();
      const page = await browser.request(query({ response_type: 'code', scope: openidScope, prompt: 'consent' }));
      assert.equal(page.status, 200);
      assert.match(page.body, /name="decision" value="approve"/);
      const done = await browser.submit(page, { decision: 'approve' });
      assert.equal(done.status, 302);
      assert.ok(redirectParams(done.location!).get('code'));
    });
  });

  describe('max_age', () => {
    test('max_age=0 asks for the password again, and the new sign-in is the code\'s auth_time', async () => {
      const browser = await signedIn();
      const before = Date.now();
      const page = await browser.request(query({ response_type: 'code', scope: openidScope, max_age: '0' }));
      assert.equal(page.status, 200);
      assert.match(page.body, /name="password"/);
      const done = await browser.submit(page, { username: person.username, password: person.password });
      assert.equal(done.status, 302);
      const code = redirectParams(done.location!).get('code')!;
      const row = await server.instance.services.stores.codes.findCode(Number(code.split('.')[0]));
      assert.ok(row!.signIn!.authTime >= before, 'auth_time is the sign-in this request made');
    });

    test('max_age=0 with prompt=none: login_required', async () => {
      const browser = await signedIn();
      assertErrorBack(await browser.request(query({ response_type: 'code', scope: openidScope, max_age: '0', prompt: 'none', state: 'm0' })), 'login_required', 'query', 'm0', /max_age/);
    });

    test('a recent sign-in satisfies a large max_age', async () => {
      const browser = await signedIn();
      const page = await browser.request(query({ response_type: 'code', scope: openidScope, max_age: '3600' }));
      assert.equal(page.status, 302);
    });

    for (const bad of ['-1', 'abc', '1.5', '1e3', ' 5']) {
      test(`max_age=${JSON.stringify(bad)}: invalid_request naming max_age`, async () => {
        assertErrorBack(await new Browser(server.url).request(query({ response_type: 'code', scope: openidScope, max_age: bad, state: 'bad' })), 'invalid_request', 'query', 'bad', /max_age/);
      });
    }
  });

  describe('id_token_hint', () => {
    const signer = () => server.instance.signer;
    const hintFor = (claims: Record<string, unknown>) => signer().sign({ iss: server.url, aud: clientId, iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 600, ...claims }, { alg: 'RS256' });
    const silent = (browser: Browser, hint: string, state: string) => browser.request(query({ response_type: 'code', scope: openidScope, prompt: 'none', id_token_hint: hint, state }));

    test('a hint of the signed-in person, even expired, lets prompt=none through', async () => {
      const browser = await signedIn();
      const expired = await hintFor({ sub: person.uid, exp: Math.floor(Date.now() / 1000) - 3600 });
      const page = await silent(browser, expired, 'h0');
      assert.equal(page.status, 302);
      assert.ok(redirectParams(page.location!).get('code'));
    });

    test('a hint of another user with prompt=none: login_required', async () => {
      const browser = await signedIn();
      assertErrorBack(await silent(browser, await hintFor({ sub: 'someone-else' }), 'h1'), 'login_required', 'query', 'h1', /id_token_hint/);
    });

    test('a forged hint (signature broken) naming the signed-in person: login_required', async () => {
      const browser = await signedIn();
      const good = await hintFor({ sub: person.uid });
      const [header, payload, signature] = good.split('.');
      const flipped = `${signature!.slice(0, -4)}${signature!.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
      assertErrorBack(await silent(browser, `${header}.${payload}.${flipped}`, 'h2'), 'login_required', 'query', 'h2');
      // The same with the payload swapped under the original signature.
      const forgedPayload = Buffer.from(JSON.stringify({ iss: server.url, sub: person.uid, aud: clientId, exp: 9_999_999_999 })).toString('base64url');
      assertErrorBack(await silent(browser, `${header}.${forgedPayload}.${signature}`, 'h2b'), 'login_required', 'query', 'h2b');
    });

    test('a hint of another issuer, signed with our own key: login_required', async () => {
      const browser = await signedIn();
      assertErrorBack(await silent(browser, await hintFor({ iss: 'https://other.example.net', sub: person.uid }), 'h3'), 'login_required', 'query', 'h3');
    });

    test('a hint signed with an unknown kid: login_required', async () => {
      const browser = await signedIn();
      const { privateKey, publicKey } = await generateKeyPair('RS256');
      const kid = ((await exportJWK(publicKey)).n ?? 'x').slice(0, 16);
      const hint = await new SignJWT({ sub: person.uid })
        .setProtectedHeader({ alg: 'RS256', kid })
        .setIssuer(server.url)
        .setAudience(clientId)
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(privateKey);
      assertErrorBack(await silent(browser, hint, 'h4'), 'login_required', 'query', 'h4');
      assertErrorBack(await silent(browser, 'not-a-jwt', 'h5'), 'login_required', 'query', 'h5');
    });

    test('without prompt=none, a hint of another user asks the person to sign in, then completes', async () => {
      const browser = await signedIn();
      const page = await browser.request(query({ response_type: 'code', scope: openidScope, id_token_hint: await hintFor({ sub: 'someone-else' }) }));
      assert.equal(page.status, 200);
      assert.match(page.body, /name="password"/);
      const done = await browser.submit(page, { username: person.username, password: person.password });
      assert.equal(done.status, 302);
    });
  });

  describe('response_mode', () => {
    test('an unknown response_mode: invalid_request in the default mode (query for code, fragment for token)', async () => {
      const browser = new Browser(server.url);
      assertErrorBack(await browser.request(query({ response_type: 'code', response_mode: 'web_message', state: 'r1' })), 'invalid_request', 'query', 'r1', /response_mode/);
      assertErrorBack(await browser.request(query({ response_type: 'token', response_mode: 'web_message', state: 'r2' })), 'invalid_request', 'fragment', 'r2', /response_mode/);
    });

    test('response_mode=query for a response type that returns tokens: invalid_request in the fragment', async () => {
      const browser = new Browser(server.url);
      assertErrorBack(await browser.request(query({ response_type: 'token', response_mode: 'query', state: 'r3' })), 'invalid_request', 'fragment', 'r3', /response_mode=query/);
      assertErrorBack(await browser.request(query({ response_type: 'id_token', scope: openidScope, nonce: 'n', response_mode: 'query', state: 'r4' })), 'invalid_request', 'fragment', 'r4', /response_mode=query/);
    });

    test('response_mode=fragment puts a code in the fragment', async () => {
      const browser = await signedIn();
      const page = await browser.request(query({ response_type: 'code', scope: openidScope, response_mode: 'fragment', state: 'r5' }));
      assert.equal(page.status, 302);
      assert.equal(new URL(page.location!).search, '');
      assert.deepEqual([...redirectParams(page.location!, 'fragment').keys()], ['code', 'state', 'iss']);
    });

    test('a valid response_mode carries a later error: response_mode=fragment with a bad scope', async () => {
      assertErrorBack(await new Browser(server.url).request(query({ response_type: 'code', response_mode: 'fragment', scope: 'nope', state: 'r6' })), 'invalid_scope', 'fragment', 'r6');
    });
  });
});
