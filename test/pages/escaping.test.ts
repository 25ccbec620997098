import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Browser, type PageResponse } from '../helpers/browserless-flow.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { post, signedIn } from './site.js';

const XSS = '<script>alert(1)</script>';
const XSS_ATTR = '"><img src=x onerror=alert(1)>';

/** What a reflected value looks like when it was escaped, and never raw. */
function assertEscaped(page: PageResponse, what: string): void {
  assert.ok(!page.body.includes(XSS), `${what}: raw <script> reflected`);
  assert.ok(!page.body.includes('<img src=x'), `${what}: raw attribute break-out reflected`);
  assert.ok(!page.body.includes('"><img'), `${what}: quote not escaped`);
}

describe('every page escapes what it reflects', () => {
  let server: TestServer;
  let person: { uid: string; username: string; password: string };
  let clientId: string;

  before(async () => {
    server = await startServer();
    person = await server.createUser('escaper');
    ({ clientId } = await server.createApp({ name: `${XSS}${XSS_ATTR}`, ownerUid: person.uid }));
  });
  after(() => server.close());

  const authorizeUrl = (extra: Record<string, string>) =>
    `/oauth/2.0/authorize?${new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: 'https://app.example.com/cb', ...extra })}`;

  test('state and display on the sign-in and consent pages; the app name on both', async () => {
    const anonymous = new Browser(server.url);
    const login = await anonymous.request(authorizeUrl({ state: `${XSS}${XSS_ATTR}`, display: XSS }));
    assert.equal(login.status, 200);
    assert.match(login.body, /name="state" value="&lt;script>alert\(1\)&lt;\/script>&quot;>&lt;img src=x onerror=alert\(1\)>"/);
    assertEscaped(login, 'sign-in page');
    assert.match(login.body, /<body class="display-page">/);
    const browser = await signedIn(server.url, person);
    const consent = await browser.request(authorizeUrl({ state: XSS }));
    assert.match(consent.body, /name="decision"/);
    assert.match(consent.body, /&lt;script>alert\(1\)&lt;\/script>/);
    assertEscaped(consent, 'consent page');
  });

  test('client_id on the authorize error page', async () => {
    const page = await new Browser(server.url).request(`/oauth/2.0/authorize?${new URLSearchParams({ response_type: 'code', client_id: `${XSS}${XSS_ATTR}`, redirect_uri: 'https://a.example.com/cb' })}`);
    assert.equal(page.status, 400);
    assert.match(page.body, /data-error-code="invalid_client"/);
    assertEscaped(page, 'error page');
  });

  test('the typed username on a failed sign-in', async () => {
    const browser = new Browser(server.url);
    const failed = await post(browser, await browser.request('/login'), '/login', { username: `${XSS}${XSS_ATTR}`, password: 'wrong password' });
    assert.equal(failed.status, 200);
    assert.match(failed.body, /role="alert"/);
    assertEscaped(failed, 'sign-in page');
  });

  test('the app name in the console list, the app page and the account page', async () => {
    const browser = await signedIn(server.url, person);
    assertEscaped(await browser.request('/console'), 'console');
    assertEscaped(await browser.request(`/console/apps/${clientId}`), 'app page');
    await server.instance.services.stores.consents.saveConsent({ uid: person.uid, clientId, scope: ['basic'] }, Date.now());
    const account = await browser.request('/account');
    assert.match(account.body, /&lt;script>alert\(1\)&lt;\/script>/);
    assertEscaped(account, 'account page');
  });

  test('what the developer typed into a refused app form', async () => {
    const browser = await signedIn(server.url, person);
    const refused = await post(browser, await browser.request('/console/apps/new'), '/console/apps', { name: XSS + XSS_ATTR, root_domain: XSS, redirect_uris: XSS, scopes: 'basic' });
    assert.equal(refused.status, 400);
    assertEscaped(refused, 'new app form');
  });

  test('code, state, error and error_description on the oob landing page, and paths on 404 pages', async () => {
    const browser = new Browser(server.url);
    const landing = await browser.request(`/oauth/2.0/login_success?${new URLSearchParams({ code: XSS + XSS_ATTR, state: XSS })}`);
    assert.match(landing.body, /<title>&lt;script>/);
    assertEscaped(landing, 'login_success with a code');
    assertEscaped(await browser.request(`/oauth/2.0/login_success?${new URLSearchParams({ error: XSS, error_description: XSS_ATTR })}`), 'login_success with an error');
    assertEscaped(await browser.request(`/oauth/2.0/errors/${encodeURIComponent(XSS)}`), 'unknown error code');
    assertEscaped(await browser.request(`/no/${encodeURIComponent(XSS + XSS_ATTR)}?lang=${encodeURIComponent(XSS_ATTR)}`), '404 page');
  });
});
