import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Browser } from '../helpers/browserless-flow.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { post, signedIn } from './site.js';

const NEW_APP = {
  name: 'Photo Printer',
  root_domain: 'example.com',
  redirect_uris: 'https://app.example.com/cb',
  grant_types: 'authorization_code',
  response_types: 'code',
  scopes: 'basic',
};

async function tokenWith(server: TestServer, clientId: string, secret: string) {
  const response = await fetch(`${server.url}/oauth/2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

function secretOn(body: string): string | undefined {
  return /id="client-secret"[^>]*>([^<]*)</.exec(body)?.[1]?.trim();
}

describe('developer console', () => {
  let server: TestServer;
  let owner: Browser;
  let stranger: Browser;
  let ownerUid: string;

  before(async () => {
    server = await startServer();
    const person = await server.createUser('dev_owner');
    ownerUid = person.uid;
    owner = await signedIn(server.url, person);
    stranger = await signedIn(server.url, await server.createUser('dev_stranger'));
  });
  after(() => server.close());

  async function createApp(extra: Record<string, string> = {}) {
    const form = await owner.request('/console/apps/new');
    const created = await post(owner, form, '/console/apps', { ...NEW_APP, grant_types: 'client_credentials', ...extra });
    const clientId = /id="client-id"[^>]*>([^<]*)</.exec(created.body)?.[1];
    assert.ok(clientId, created.body.slice(0, 500));
    return { created, clientId, secret: secretOn(created.body) };
  }

  test('sends a person who is not signed in to /login, remembering where they were going', async () => {
    const response = await new Browser(server.url).request('/console');
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), '/login?next=%2Fconsole');
  });

  test('registers an app owned by the signed-in person and shows its Secret Key once', async () => {
    const { created, clientId, secret } = await createApp({ grant_types: 'client_credentials' });
    assert.equal(created.status, 201);
    assert.equal(created.headers.get('cache-control'), 'no-store');
    assert.match(secret ?? '', /^[A-Za-z0-9._~-]{43}$/);
    const stored = await server.instance.services.stores.apps.findApp(clientId);
    assert.equal(stored?.ownerUid, ownerUid);
    assert.equal(stored?.name, 'Photo Printer');
    assert.deepEqual(stored?.grantTypes, ['client_credentials']);
    // The key works, and the app's page never shows it again.
    assert.equal((await tokenWith(server, clientId, secret!)).status, 200);
    const again = await owner.request(`/console/apps/${clientId}`);
    assert.equal(again.status, 200);
    assert.equal(secretOn(again.body), undefined);
    assert.ok(!again.body.includes(secret!));
    const list = await owner.request('/console');
    assert.match(list.body, new RegExp(`data-client-id="${clientId}"`));
  });

  test('refuses an app whose redirect URI is outside its root domain, saying why, and registers nothing', async () => {
    const before = (await server.instance.services.stores.apps.listApps({ ownerUid })).length;
    const form = await owner.request('/console/apps/new');
    const refused = await post(owner, form, '/console/apps', { ...NEW_APP, redirect_uris: 'https://evil.com/cb' });
    assert.equal(refused.status, 400);
    assert.match(refused.body, /id="input-error">redirect URI https:\/\/evil.com\/cb is not under the root domain example.com</);
    assert.match(refused.body, /value="Photo Printer"/);
    assert.equal((await server.instance.services.stores.apps.listApps({ ownerUid })).length, before);
  });

  test('rotating the Secret Key shows the new one once and the old one stops working', async () => {
    const { clientId, secret } = await createApp();
    const page = await owner.request(`/console/apps/${clientId}`);
    const rotated = await post(owner, page, `/console/apps/${clientId}/rotate`);
    assert.equal(rotated.status, 200);
    const fresh = secretOn(rotated.body);
    assert.ok(fresh && fresh !== secret);
    const old = await tokenWith(server, clientId, secret!);
    assert.equal(old.status, 401);
    assert.equal(old.body['error'], 'invalid_client');
    assert.equal((await tokenWith(server, clientId, fresh)).status, 200);
  });

  test('disabling an app makes its requests fail with invalid_client; enabling restores it', async () => {
    const { clientId, secret } = await createApp();
    const page = await owner.request(`/console/apps/${clientId}`);
    const disabled = await post(owner, page, `/console/apps/${clientId}/disable`);
    assert.equal(disabled.status, 303);
    assert.equal(disabled.headers.get('location'), `/console/apps/${clientId}`);
    assert.equal((await tokenWith(server, clientId, secret!)).body['error'], 'invalid_client');
    const shown = await owner.request(`/console/apps/${clientId}`);
    assert.match(shown.body, /data-app-status="disabled"/);
    await post(owner, shown, `/console/apps/${clientId}/enable`);
    assert.equal((await tokenWith(server, clientId, secret!)).status, 200);
  });

  test('edits an app through the same rules as registration', async () => {
    const { clientId } = await createApp();
    const page = await owner.request(`/console/apps/${clientId}`);
    const saved = await post(owner, page, `/console/apps/${clientId}`, { ...NEW_APP, name: 'Photo Printer 2', root_domain: 'example.org', redirect_uris: '' });
    assert.equal(saved.status, 200);
    const app = await server.instance.services.stores.apps.findApp(clientId);
    assert.equal(app?.name, 'Photo Printer 2');
    assert.equal(app?.rootDomain, 'example.org');
    assert.deepEqual(app?.redirectUris, []);
    const refused = await post(owner, saved, `/console/apps/${clientId}`, { ...NEW_APP, scopes: 'no_such_scope' });
    assert.equal(refused.status, 400);
    assert.match(refused.body, /unknown scope &quot;no_such_scope&quot;/);
    assert.equal((await server.instance.services.stores.apps.findApp(clientId))?.name, 'Photo Printer 2');
  });

  test("another person can neither see nor change someone's app: 404 and nothing changes", async () => {
    const { clientId, secret } = await createApp();
    const seen = await stranger.request(`/console/apps/${clientId}`);
    assert.equal(seen.status, 404);
    assert.ok(!seen.body.includes('Photo Printer') && !seen.body.includes('id="client-id"'));
    const token = /name="csrf_token" value="([^"]*)"/.exec((await stranger.request('/console')).body)![1]!;
    for (const action of ['rotate', 'disable']) {
      const response = await stranger.request(`/console/apps/${clientId}/${action}`, { form: { csrf_token: token } });
      assert.equal(response.status, 404, action);
    }
    const edit = await stranger.request(`/console/apps/${clientId}`, { form: { csrf_token: token, ...NEW_APP, name: 'Stolen' } });
    assert.equal(edit.status, 404);
    const app = await server.instance.services.stores.apps.findApp(clientId);
    assert.equal(app?.disabled, false);
    assert.equal(app?.name, 'Photo Printer');
    assert.equal((await tokenWith(server, clientId, secret!)).status, 200);
    assert.ok(!(await stranger.request('/console')).body.includes(clientId));
  });

  test('recent failures show a bad redirect_uri at authorize and a wrong secret at the token endpoint, with the private detail', async () => {
    const { clientId } = await createApp({ grant_types: 'authorization_code' });
    const authorize = await fetch(
      `${server.url}/oauth/2.0/authorize?${new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: 'https://evil.example.net/cb' })}`,
    );
    assert.equal(authorize.status, 400);
    const wrong = await tokenWith(server, clientId, 'not-the-secret');
    assert.equal(wrong.body['error'], 'invalid_client');
    const page = await owner.request(`/console/apps/${clientId}`);
    const rows = [...page.body.matchAll(/<tr data-failure-code="([a-z_]+)">([\s\S]*?)<\/tr>/g)];
    assert.deepEqual(
      rows.map((row) => row[1]),
      ['invalid_client', 'redirect_uri_mismatch'],
    );
    assert.match(rows[1]![2]!, /<td>authorize<\/td>/);
    assert.match(rows[1]![2]!, /redirect_uri/);
    assert.match(rows[0]![2]!, /<td>token<\/td>/);
    assert.match(rows[0]![2]!, /client_secret is wrong/);
    // Never the secret that was sent.
    assert.ok(!page.body.includes('not-the-secret'));
  });

  test('recent failures are kept in the database: a new instance on the same database shows them', async () => {
    const { clientId } = await createApp();
    await tokenWith(server, clientId, 'wrong');
    await server.instance.services.failures.flush?.();
    const { createInstance } = await import('../../src/server.js');
    const second = await createInstance(server.config);
    try {
      const failures = await second.services.failures.recent(clientId);
      assert.equal(failures.length, 1);
      assert.equal(failures[0]!.code, 'invalid_client');
      assert.equal(failures[0]!.endpoint, 'token');
    } finally {
      await second.close();
    }
  });
});
