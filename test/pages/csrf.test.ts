import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Browser } from '../helpers/browserless-flow.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { csrfOf, formFields, signedIn } from './site.js';

/** OWASP / RFC 9700 §4.7: a form post without this browser's CSRF token is refused with 403 and changes nothing. */
describe('CSRF: a missing or wrong token gets 403 and nothing changes', () => {
  let server: TestServer;
  let owner: Browser;
  let person: { uid: string; username: string; password: string };
  let clientId: string;
  let secretHash: string | null;
  const bad = async (browser: Browser) => [undefined, '', 'forged', `${await csrfOf(browser)}x`];
  const send = (browser: Browser, path: string, csrf: string | undefined, form: Record<string, string> = {}) =>
    browser.request(path, { method: 'POST', form: { ...form, ...(csrf === undefined ? {} : { csrf_token: csrf }) } });

  before(async () => {
    server = await startServer();
    person = await server.createUser('csrf_owner');
    owner = await signedIn(server.url, person);
    const created = await server.createApp({ name: 'Owned', ownerUid: person.uid });
    clientId = created.clientId;
    secretHash = created.app.secretHash;
  });
  after(() => server.close());

  test('console: registering an app', async () => {
    for (const csrf of await bad(owner)) {
      const response = await send(owner, '/console/apps', csrf, { name: 'Forged', root_domain: 'example.com', scopes: 'basic' });
      assert.equal(response.status, 403, String(csrf));
    }
    assert.deepEqual((await server.instance.services.stores.apps.listApps({ ownerUid: person.uid })).map((app) => app.name), ['Owned']);
  });

  test('console: rotating, disabling and editing an app', async () => {
    for (const csrf of await bad(owner)) {
      for (const action of ['rotate', 'disable']) assert.equal((await send(owner, `/console/apps/${clientId}/${action}`, csrf)).status, 403, `${action} ${csrf}`);
      assert.equal((await send(owner, `/console/apps/${clientId}`, csrf, { name: 'Renamed', root_domain: 'example.com', scopes: 'basic' })).status, 403);
    }
    const app = await server.instance.services.stores.apps.findApp(clientId);
    assert.equal(app?.secretHash, secretHash);
    assert.equal(app?.disabled, false);
    assert.equal(app?.name, 'Owned');
  });

  test('signing out', async () => {
    for (const csrf of await bad(owner)) assert.equal((await send(owner, '/logout', csrf)).status, 403);
    assert.equal((await owner.request('/console')).status, 200, 'still signed in');
  });

  test('authorize: the consent form gives no code and remembers no consent', async () => {
    const { clientId: appId } = await server.createApp({ name: 'Consent target' });
    const browser = await signedIn(server.url, person);
    const consent = await browser.request(
      `/oauth/2.0/authorize?${new URLSearchParams({ response_type: 'code', client_id: appId, redirect_uri: 'https://app.example.com/cb', state: 's' })}`,
    );
    assert.match(consent.body, /name="decision"/);
    const fields = formFields(consent, '/oauth/2.0/authorize');
    for (const csrf of await bad(browser)) {
      const { csrf_token: _, ...rest } = fields;
      const response = await browser.request('/oauth/2.0/authorize', { form: { ...rest, decision: 'approve', ...(csrf === undefined ? {} : { csrf_token: csrf }) } });
      assert.equal(response.status, 403, String(csrf));
      assert.equal(response.location, null);
    }
    assert.equal(await server.instance.services.stores.consents.findConsent(person.uid, appId), undefined);
  });

  test('sign-in through /login', async () => {
    const browser = new Browser(server.url);
    await browser.request('/login');
    const response = await browser.request('/login', { form: { username: person.username, password: person.password, csrf_token: 'forged' } });
    assert.equal(response.status, 403);
    assert.equal((await browser.request('/console')).status, 303, 'not signed in');
  });
});
