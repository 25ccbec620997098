import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { authorize, redirectParams } from '../helpers/browserless-flow.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { csrfOf, post, signedIn } from './site.js';

describe('account page: the apps a person has authorized', () => {
  let server: TestServer;
  let person: { uid: string; username: string; password: string };

  before(async () => {
    server = await startServer();
    person = await server.createUser('account_owner');
  });
  after(() => server.close());

  /** Authorizes a new app through the pages and returns its access token. */
  async function authorizedApp(name: string) {
    const { clientId, clientSecret } = await server.createApp({ name, scopes: ['basic', 'email'] });
    const browser = await signedIn(server.url, person);
    const redirectUri = 'https://app.example.com/cb';
    const done = await authorize(browser, { response_type: 'code', client_id: clientId, redirect_uri: redirectUri, scope: 'basic email' }, person);
    assert.equal(done.status, 302, done.body.slice(0, 300));
    const code = redirectParams(done.location!).get('code')!;
    const response = await fetch(`${server.url}/oauth/2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: clientId, client_secret: clientSecret! }),
    });
    const body = (await response.json()) as { access_token: string };
    return { clientId, browser, accessToken: body.access_token };
  }

  const tokenStatus = async (accessToken: string) => (await fetch(`${server.url}/oauth/2.0/tokeninfo?${new URLSearchParams({ access_token: accessToken })}`)).status;

  test('lists each authorized app with its scopes in words, and revoking one ends its access and its tokens', async () => {
    const { clientId, browser, accessToken } = await authorizedApp('Calendar Sync');
    assert.equal(await tokenStatus(accessToken), 200);
    const page = await browser.request('/account');
    assert.equal(page.status, 200);
    assert.match(page.body, /Calendar Sync/);
    assert.match(page.body, /<li data-scope="email"><code>email<\/code> — Your email address<\/li>/);
    const revoked = await post(browser, page, '/account/revoke', { client_id: clientId });
    assert.equal(revoked.status, 303);
    assert.equal(await server.instance.services.stores.consents.findConsent(person.uid, clientId), undefined);
    assert.equal(await tokenStatus(accessToken), 400);
    const after = await browser.request(revoked.location!);
    assert.match(after.body, /Access of Calendar Sync revoked/);
    assert.ok(!after.body.includes(`data-client-id="${clientId}"`));
  });

  test('a revocation without the CSRF token, or with a wrong one, changes nothing (403)', async () => {
    const { clientId, browser, accessToken } = await authorizedApp('Notes');
    for (const csrf of [undefined, 'wrong', await csrfOf(browser, '/account') + 'x']) {
      const response = await browser.request('/account/revoke', { form: { client_id: clientId, ...(csrf === undefined ? {} : { csrf_token: csrf }) } });
      assert.equal(response.status, 403, String(csrf));
    }
    assert.ok(await server.instance.services.stores.consents.findConsent(person.uid, clientId));
    assert.equal(await tokenStatus(accessToken), 200);
  });
});
