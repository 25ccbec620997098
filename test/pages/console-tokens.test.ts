/**
 * The console shows and edits an app's SPEC §8 settings: the resources it may
 * ask for (RFC 8707), its access token format (RFC 9068) and its refresh
 * grace — through the same rules as registration, with the CSRF token.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from '../helpers/browserless-flow.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { csrfOf, post, signedIn } from './site.js';

describe('developer console: resources, access token format, refresh grace', () => {
  let server: TestServer;
  let owner: Browser;

  before(async () => {
    server = await startServer();
    owner = await signedIn(server.url, await server.createUser('token_console_owner'));
  });
  after(() => server.close());

  const settings = (extra: Array<[string, string]>): Array<[string, string]> => [
    ['name', 'API app'],
    ['root_domain', 'example.com'],
    ['redirect_uris', 'https://app.example.com/cb'],
    ['grant_types', 'authorization_code'],
    ['grant_types', 'refresh_token'],
    ['response_types', 'code'],
    ['scopes', 'basic'],
    ...extra,
  ];

  async function send(path: string, fields: Array<[string, string]>) {
    const response = await fetch(new URL(path, server.url), {
      method: 'POST',
      headers: { cookie: owner.jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams([['csrf_token', await csrfOf(owner, path)], ...fields]),
      redirect: 'manual',
    });
    return { status: response.status, body: await response.text() };
  }

  test('the new-app form offers the defaults; an edit saves them, shows them, and a bad value is refused by name', async () => {
    const form = await owner.request('/console/apps/new');
    assert.match(form.body, /<select id="access_token_format" name="access_token_format"><option value="opaque" selected>Opaque \(default\)<\/option><option value="jwt">/);
    assert.match(form.body, /<input type="number" id="refresh_grace" name="refresh_grace"[^>]* value="0"\/>/);
    assert.match(form.body, /<textarea id="resources" name="resources"[^>]*><\/textarea>/);
    const created = await post(owner, form, '/console/apps', { name: 'API app', root_domain: 'example.com', redirect_uris: 'https://app.example.com/cb', grant_types: 'authorization_code', response_types: 'code', scopes: 'basic' });
    assert.equal(created.status, 201, created.body.slice(0, 300));
    const clientId = /id="client-id"[^>]*>([^<]*)</.exec(created.body)![1]!;
    const path = `/console/apps/${clientId}`;

    const saved = await send(path, settings([['resources', 'https://api.example.com/\r\nurn:example:photos'], ['access_token_format', 'jwt'], ['refresh_grace', '30']]));
    assert.equal(saved.status, 200, saved.body.slice(0, 300));
    const app = await server.instance.services.stores.apps.findApp(clientId);
    assert.deepEqual([app?.resources, app?.accessTokenFormat, app?.refreshGrace], [['https://api.example.com/', 'urn:example:photos'], 'jwt', 30]);
    const page = await owner.request(path);
    assert.match(page.body, /<option value="jwt" selected>/);
    assert.match(page.body, /id="refresh_grace" name="refresh_grace"[^>]* value="30"\/>/);
    assert.ok(page.body.includes('aria-describedby="resources-hint">https://api.example.com/\nurn:example:photos</textarea>'));

    const refused = await send(path, settings([['resources', 'https://api.example.com/#frag'], ['refresh_grace', '30']]));
    assert.equal(refused.status, 400);
    assert.ok(refused.body.includes('resource &quot;https://api.example.com/#frag&quot; has a fragment'), refused.body.slice(0, 2000));
    const badGrace = await send(path, settings([['refresh_grace', '-5']]));
    assert.equal(badGrace.status, 400);
    assert.ok(badGrace.body.includes('refresh grace must be a whole number of seconds from 0 to 86400'));
    assert.equal((await server.instance.services.stores.apps.findApp(clientId))?.refreshGrace, 30);
  });
});
