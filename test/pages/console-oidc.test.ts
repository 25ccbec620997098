/**
 * The console shows and edits an app's OpenID Connect settings (SPEC §7
 * "Apps"): subject type, id_token signing algorithm, post-logout redirect
 * URIs, back-channel logout URI, response types with id_token — through the
 * same rules as registration, escaped, with the CSRF token.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from '../helpers/browserless-flow.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { csrfOf, formFields, post, signedIn } from './site.js';

describe('developer console: OpenID Connect settings', () => {
  let server: TestServer;
  let owner: Browser;

  before(async () => {
    server = await startServer();
    owner = await signedIn(server.url, await server.createUser('oidc_console_owner'));
  });
  after(() => server.close());

  /** Posts a form with repeated fields (checkboxes), as a browser does. */
  async function send(path: string, fields: Array<[string, string]>) {
    const response = await fetch(new URL(path, server.url), {
      method: 'POST',
      headers: { cookie: owner.jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields),
      redirect: 'manual',
    });
    return { status: response.status, body: await response.text() };
  }

  async function newApp(): Promise<string> {
    const form = await owner.request('/console/apps/new');
    // The new-app form offers every setting with its default.
    assert.match(form.body, /<select id="subject_type" name="subject_type"><option value="public" selected>public: the user id<\/option><option value="pairwise">/);
    assert.match(form.body, /<select id="id_token_signed_response_alg" name="id_token_signed_response_alg"><option value="RS256" selected>RS256<\/option>/);
    for (const type of ['id_token', 'id_token token']) assert.ok(form.body.includes(`name="response_types" value="${type}" checked/>`), type);
    const created = await post(owner, form, '/console/apps', { name: 'OIDC app', root_domain: 'example.com', redirect_uris: 'https://app.example.com/cb', grant_types: 'authorization_code', response_types: 'code', scopes: 'basic' });
    assert.equal(created.status, 201, created.body.slice(0, 300));
    return /id="client-id"[^>]*>([^<]*)</.exec(created.body)![1]!;
  }

  test('edits subject type, signing algorithm, logout URIs and the id_token response types, and shows them escaped', async () => {
    const clientId = await newApp();
    const path = `/console/apps/${clientId}`;
    const hostile = 'https://app.example.com/bye?x="><script>alert(1)</script>';
    const saved = await send(path, [
      ['csrf_token', await csrfOf(owner, path)],
      ['name', 'OIDC app'],
      ['root_domain', 'example.com'],
      ['redirect_uris', 'https://app.example.com/cb'],
      ['grant_types', 'authorization_code'],
      ['response_types', 'code'],
      ['response_types', 'id_token'],
      ['response_types', 'id_token token'],
      ['scopes', 'basic'],
      ['scopes', 'openid'],
      ['subject_type', 'pairwise'],
      ['id_token_signed_response_alg', 'ES256'],
      ['post_logout_redirect_uris', `https://app.example.com/bye\r\n${hostile}`],
      ['backchannel_logout_uri', 'https://app.example.com/backchannel'],
    ]);
    assert.equal(saved.status, 200, saved.body.slice(0, 300));
    const app = await server.instance.services.stores.apps.findApp(clientId);
    assert.equal(app?.subjectType, 'pairwise');
    assert.equal(app?.idTokenAlg, 'ES256');
    assert.deepEqual(app?.responseTypes, ['code', 'id_token', 'id_token token']);
    assert.deepEqual(app?.postLogoutRedirectUris, ['https://app.example.com/bye', hostile]);
    assert.equal(app?.backchannelLogoutUri, 'https://app.example.com/backchannel');

    const page = await owner.request(path);
    assert.match(page.body, /<option value="pairwise" selected>/);
    assert.match(page.body, /<option value="ES256" selected>ES256<\/option>/);
    assert.match(page.body, /id="backchannel_logout_uri" name="backchannel_logout_uri" aria-describedby="backchannel_logout_uri-hint" value="https:\/\/app\.example\.com\/backchannel"/);
    assert.ok(!page.body.includes('<script>alert(1)'), 'the URI is escaped');
    assert.ok(page.body.includes('aria-describedby="post_logout_redirect_uris-hint">https://app.example.com/bye\nhttps://app.example.com/bye?x=&quot;>&lt;script>alert(1)&lt;/script></textarea>'));
    assert.ok(formFields(page, path)['csrf_token']);
  });

  for (const [what, field, value, message] of [
    ['a plain-http back-channel URI', 'backchannel_logout_uri', 'http://app.example.com/bc', /must be https/],
    ['a post-logout URI outside the root domain', 'post_logout_redirect_uris', 'https://evil.com/bye', /post-logout redirect URI https:\/\/evil\.com\/bye is not under the root domain/],
    ['an unknown subject type', 'subject_type', 'secret', /unknown subject type/],
    ['an unknown signing algorithm', 'id_token_signed_response_alg', 'none', /unknown id_token signing algorithm/],
  ] as const) {
    test(`refuses ${what} with 400, saying why, and changes nothing`, async () => {
      const clientId = await newApp();
      const path = `/console/apps/${clientId}`;
      const before = await server.instance.services.stores.apps.findApp(clientId);
      const refused = await send(path, [
        ['csrf_token', await csrfOf(owner, path)],
        ['name', 'Renamed'],
        ['root_domain', 'example.com'],
        ['grant_types', 'authorization_code'],
        ['response_types', 'code'],
        ['scopes', 'basic'],
        [field, value],
      ]);
      assert.equal(refused.status, 400);
      assert.match(refused.body, message);
      assert.deepEqual(await server.instance.services.stores.apps.findApp(clientId), before);
    });
  }

  test('refuses an edit without the CSRF token with 403, and changes nothing', async () => {
    const clientId = await newApp();
    const before = await server.instance.services.stores.apps.findApp(clientId);
    const refused = await send(`/console/apps/${clientId}`, [['name', 'x'], ['root_domain', 'example.com'], ['subject_type', 'pairwise']]);
    assert.equal(refused.status, 403);
    assert.deepEqual(await server.instance.services.stores.apps.findApp(clientId), before);
  });
});
