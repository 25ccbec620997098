/**
 * The console registers and edits an app's client authentication and PAR
 * settings (SPEC §8): token_endpoint_auth_method, jwks, jwks_uri,
 * --require-par — through the same rules as `clients create`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from '../helpers/browserless-flow.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { csrfOf, post, signedIn } from './site.js';

/** The app's other settings, the same in every post. */
const BASE = { name: 'Keyed app', root_domain: 'example.com', redirect_uris: 'https://app.example.com/cb', grant_types: 'authorization_code', response_types: 'code', scopes: 'basic' };
const JWKS = { keys: [{ kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', kid: 'k1' }] };

describe('developer console: client authentication and PAR settings', () => {
  let server: TestServer;
  let owner: Browser;

  before(async () => {
    server = await startServer();
    owner = await signedIn(server.url, await server.createUser('client_auth_console_owner'));
  });
  after(() => server.close());

  test('registers an app with private_key_jwt, inline keys and require PAR, then edits them; a bad setting is refused with its reason', async () => {
    const form = await owner.request('/console/apps/new');
    assert.match(form.body, /<select id="token_endpoint_auth_method" name="token_endpoint_auth_method"><option value selected>any the app has material for/);
    assert.ok(form.body.includes('name="require_par" value="1"'));
    const created = await post(owner, form, '/console/apps', {
      ...BASE,
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: JSON.stringify(JWKS),
      require_par: '1',
    });
    assert.equal(created.status, 201, created.body.slice(0, 300));
    const clientId = /id="client-id"[^>]*>([^<]*)</.exec(created.body)![1]!;
    const app = (await server.instance.services.stores.apps.findApp(clientId))!;
    assert.deepEqual({ method: app.tokenEndpointAuthMethod, jwks: app.jwks, jwksUri: app.jwksUri, par: app.requirePar }, { method: 'private_key_jwt', jwks: JWKS, jwksUri: null, par: true });

    const path = `/console/apps/${clientId}`;
    const edit = async (extra: Record<string, string>) =>
      fetch(new URL(path, server.url), {
        method: 'POST',
        headers: { cookie: owner.jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          csrf_token: await csrfOf(owner, path),
          ...BASE,
          ...extra,
        }),
        redirect: 'manual',
      });
    const saved = await edit({ token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'https://app.example.com/jwks.json' });
    assert.equal(saved.status, 200);
    const after = (await server.instance.services.stores.apps.findApp(clientId))!;
    assert.deepEqual({ method: after.tokenEndpointAuthMethod, jwks: after.jwks, jwksUri: after.jwksUri, par: after.requirePar }, { method: 'private_key_jwt', jwks: null, jwksUri: 'https://app.example.com/jwks.json', par: false });
    const refused = await edit({ token_endpoint_auth_method: 'client_secret_jwt' });
    assert.equal(refused.status, 400);
    assert.match(await refused.text(), /client_secret_jwt needs the Secret Key kept sealed: choose it when the app is created/);
  });
});
