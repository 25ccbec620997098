import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Browser } from '../helpers/browserless-flow.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { assertFrameDenied, signedIn } from './site.js';

/** RFC 9700 §4.16 (clickjacking): no page of ours may be framed, whatever it shows and whatever its status. */
describe('every HTML page refuses to be framed', () => {
  let server: TestServer;
  let signedInBrowser: Browser;
  let clientId: string;

  before(async () => {
    server = await startServer({ env: { GATEHOUSE_ALLOW_SIGNUP: '1' } });
    const person = await server.createUser('framer');
    signedInBrowser = await signedIn(server.url, person);
    ({ clientId } = await server.createApp({ ownerUid: person.uid }));
  });
  after(() => server.close());

  const authorize = (extra: Record<string, string> = {}) =>
    `/oauth/2.0/authorize?${new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: 'https://app.example.com/cb', ...extra })}`;

  const anonymousPages: Array<[string, string, number]> = [
    ['home', '/', 200],
    ['sign-in', '/login', 200],
    ['sign-up', '/signup', 200],
    ['setup without a token', '/setup', 404],
    ['error reference', '/oauth/2.0/errors', 200],
    ['one error code', '/oauth/2.0/errors/invalid_grant', 200],
    ['oob landing', '/oauth/2.0/login_success?code=abc', 200],
    ['authorize sign-in', '', 200],
    ['authorize error', '/oauth/2.0/authorize?client_id=nobody', 400],
    ['unknown path', '/nowhere', 404],
  ];

  for (const [what, path, status] of anonymousPages) {
    test(`${what} (${status})`, async () => {
      const page = await new Browser(server.url).request(path === '' ? authorize() : path);
      assert.equal(page.status, status);
      assertFrameDenied(page, what);
      assert.match(page.headers.get('content-security-policy')!, /default-src 'none'/);
      assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    });
  }

  const signedInPages: Array<[string, () => string, number]> = [
    ['consent', () => authorize({ display: 'popup' }), 200],
    ['console', () => '/console', 200],
    ['new app', () => '/console/apps/new', 200],
    ["an app's page", () => `/console/apps/${clientId}`, 200],
    ['somebody else’s app', () => '/console/apps/not-mine', 404],
    ['account', () => '/account', 200],
  ];
  for (const [what, path, status] of signedInPages) {
    test(`${what} (${status})`, async () => {
      const page = await signedInBrowser.request(path());
      assert.equal(page.status, status);
      assertFrameDenied(page, what);
    });
  }

  test('a forged form (403) and a wrong method (405)', async () => {
    const forged = await signedInBrowser.request('/console/apps', { form: { name: 'x' } });
    assert.equal(forged.status, 403);
    assertFrameDenied(forged, '403');
    const wrong = await new Browser(server.url).request('/console', { method: 'DELETE' });
    assert.equal(wrong.status, 405);
    assertFrameDenied(wrong, '405');
  });
});
