import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { authorize, Browser, redirectParams } from '../helpers/browserless-flow.js';
import { startServer, type TestServer } from '../helpers/server.js';

describe('authorization endpoint: the flows', () => {
  let server: TestServer;
  let clientId: string;
  let person: { username: string; password: string; uid: string };
  const redirectUri = 'https://app.example.com/cb';

  before(async () => {
    server = await startServer();
    ({ clientId } = await server.createApp({ redirectUris: [redirectUri] }));
    person = await server.createUser();
  });
  after(() => server.close());

  test('signs in, asks consent, and redirects with a code and state in the query', async () => {
    const browser = new Browser(server.url);
    const final = await authorize(browser, { response_type: 'code', client_id: clientId, redirect_uri: redirectUri, state: 'xyz' }, person);
    assert.equal(final.status, 302);
    assert.equal(final.headers.get('cache-control'), 'no-store');
    const location = new URL(final.location!);
    assert.equal(location.origin + location.pathname, redirectUri);
    assert.match(location.searchParams.get('code')!, /^\d+\.[A-Za-z0-9_-]{43}$/);
    assert.equal(location.searchParams.get('state'), 'xyz');
  });

  test('shows the sign-in form with the SPEC names and a CSRF token, framing forbidden', async () => {
    const browser = new Browser(server.url);
    const page = await browser.request(`/oauth/2.0/authorize?response_type=code&client_id=${clientId}&redirect_uri=${encodeURIComponent(redirectUri)}`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type')!, /^text\/html/);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.match(page.headers.get('content-security-policy')!, /frame-ancestors 'none'/);
    assert.match(page.body, /name="username"/);
    assert.match(page.body, /name="password"/);
    assert.match(page.body, /name="csrf_token" value="[A-Za-z0-9_-]{43}"/);
  });

  test('remembers consent for the same app and scopes, and asks again with confirm_login=1', async () => {
    const browser = new Browser(server.url);
    const params = { response_type: 'code', client_id: clientId, redirect_uri: redirectUri };
    assert.equal((await authorize(browser, params, person)).status, 302);
    const again = await browser.request(`/oauth/2.0/authorize?${new URLSearchParams(params)}`);
    assert.equal(again.status, 302, 'no consent page the second time');
    assert.ok(redirectParams(again.location!).get('code'));
    const confirm = await browser.request(`/oauth/2.0/authorize?${new URLSearchParams({ ...params, confirm_login: '1' })}`);
    assert.equal(confirm.status, 200);
    assert.match(confirm.body, /name="decision" value="approve"/);
    assert.match(confirm.body, /name="decision" value="deny"/);
  });

  test('asks for the password again with force_login=1, then completes', async () => {
    const browser = new Browser(server.url);
    const params = { response_type: 'code', client_id: clientId, redirect_uri: redirectUri };
    assert.equal((await authorize(browser, params, person)).status, 302);
    const forced = await browser.request(`/oauth/2.0/authorize?${new URLSearchParams({ ...params, force_login: '1' })}`);
    assert.equal(forced.status, 200);
    assert.match(forced.body, /name="password"/);
    const done = await browser.submit(forced, { username: person.username, password: person.password });
    assert.equal(done.status, 302, 'consent is remembered, so signing in completes the request');
    assert.ok(redirectParams(done.location!).get('code'));
  });

  test('a wrong password re-renders the sign-in form with a message', async () => {
    const browser = new Browser(server.url);
    const page = await browser.request(`/oauth/2.0/authorize?response_type=code&client_id=${clientId}&redirect_uri=${encodeURIComponent(redirectUri)}`);
    const retry = await browser.submit(page, { username: person.username, password: 'wrong password' });
    assert.equal(retry.status, 200);
    assert.match(retry.body, /role="alert"/);
    assert.match(retry.body, /name="password"/);
  });

  test('a person who declines sends access_denied back with state', async () => {
    const browser = new Browser(server.url);
    const fresh = await server.createUser();
    const final = await authorize(browser, { response_type: 'code', client_id: clientId, redirect_uri: redirectUri, state: 's1' }, fresh, 'deny');
    assert.equal(final.status, 302);
    const back = redirectParams(final.location!);
    assert.equal(back.get('error'), 'access_denied');
    assert.equal(back.get('state'), 's1');
    assert.ok(back.get('error_description'));
    assert.equal(back.get('error_uri'), `${server.url}/oauth/2.0/errors/access_denied`);
  });

  test('a consent post without the CSRF token is refused with 403 and issues nothing', async () => {
    const browser = new Browser(server.url);
    const fresh = await server.createUser();
    const params = { response_type: 'code', client_id: clientId, redirect_uri: redirectUri };
    let page = await browser.request(`/oauth/2.0/authorize?${new URLSearchParams(params)}`);
    page = await browser.submit(page, { username: fresh.username, password: fresh.password });
    assert.match(page.body, /name="decision"/);
    const forged = await browser.request('/oauth/2.0/authorize', { form: { ...params, _step: 'consent', decision: 'approve' } });
    assert.equal(forged.status, 403);
    assert.equal(forged.location, null);
    const wrong = await browser.request('/oauth/2.0/authorize', { form: { ...params, _step: 'consent', decision: 'approve', csrf_token: 'A'.repeat(43) } });
    assert.equal(wrong.status, 403);
    assert.equal(await server.instance.services.stores.consents.findConsent(fresh.uid, clientId), undefined);
  });

  test('implicit grant puts the token, token_type, expires_in, scope and state in the fragment, without a refresh token', async () => {
    const browser = new Browser(server.url);
    const final = await authorize(browser, { response_type: 'token', client_id: clientId, redirect_uri: redirectUri, state: 'st' }, person);
    assert.equal(final.status, 302);
    const url = new URL(final.location!);
    assert.equal(url.search, '');
    const fragment = redirectParams(final.location!, 'fragment');
    assert.match(fragment.get('access_token')!, /^\d+\.[A-Za-z0-9_-]{43}$/);
    assert.equal(fragment.get('token_type'), 'Bearer');
    assert.equal(fragment.get('expires_in'), '2592000');
    assert.equal(fragment.get('scope'), 'basic');
    assert.equal(fragment.get('state'), 'st');
    assert.equal(fragment.get('refresh_token'), null);
  });

  test('redirect_uri=oob lands on /oauth/2.0/login_success, which shows the code in data-code and the title', async () => {
    const browser = new Browser(server.url);
    const final = await authorize(browser, { response_type: 'code', client_id: clientId, redirect_uri: 'oob' }, person);
    assert.equal(final.status, 302);
    const url = new URL(final.location!);
    assert.equal(url.origin + url.pathname, `${server.url}/oauth/2.0/login_success`);
    const code = url.searchParams.get('code')!;
    const landing = await browser.request(url.pathname + url.search);
    assert.equal(landing.status, 200);
    assert.ok(landing.body.includes(`data-code="${code}"`));
    assert.ok(landing.body.includes(`<title>${code}</title>`));
  });

  test('scopes may be comma-separated, and the code carries them', async () => {
    const { clientId: id, clientSecret } = await server.createApp({ redirectUris: [redirectUri], scopes: ['basic', 'email'] });
    const browser = new Browser(server.url);
    const final = await authorize(browser, { response_type: 'code', client_id: id, redirect_uri: redirectUri, scope: 'basic,email' }, person);
    const code = redirectParams(final.location!).get('code')!;
    const response = await fetch(`${server.url}/oauth/2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: id, client_secret: clientSecret! }),
    });
    assert.equal(response.status, 200);
    assert.equal((await response.json()).scope, 'basic email');
  });
});
