/** SPEC §8 `clients create --require-dpop`: the setting from the CLI, the console and the admin API, and what it does at the token endpoint. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { makeAdminApp, call, clientCredentials } from '../admin/helpers.js';
import { makeProof, proofKey } from '../helpers/dpop.js';
import { basic } from '../helpers/fixtures.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { post, signedIn } from '../pages/site.js';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '../../src/cli.ts');

describe('--require-dpop', () => {
  let server: TestServer;
  let database: string;

  before(async () => {
    server = await startServer();
    database = `sqlite:${join(server.dir, 'gatehouse.db')}`;
  });
  after(() => server.close());

  const token = async (clientId: string, clientSecret: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${server.url}/oauth/2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(clientId, clientSecret), ...headers },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };

  test('clients create --require-dpop --json shows require_dpop; its token requests need a proof (400 invalid_dpop_proof without)', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', CLI, 'clients', 'create', '--name', 'Strict', '--root-domain', 'example.com', '--require-dpop', '--json'], {
      env: { ...process.env, GATEHOUSE_DATABASE_URL: database },
    });
    const made = JSON.parse(stdout) as { client_id: string; client_secret: string; require_dpop: boolean };
    assert.equal(made.require_dpop, true);
    const refused = await token(made.client_id, made.client_secret);
    assert.equal(refused.status, 400);
    assert.deepEqual(refused.json, {
      error: 'invalid_dpop_proof',
      error_description: 'this app requires DPoP: send a DPoP proof with every token request',
      error_uri: `${server.url}/oauth/2.0/errors/invalid_dpop_proof`,
    });
    const key = await proofKey();
    const granted = await token(made.client_id, made.client_secret, { dpop: await makeProof(key, { htu: `${server.url}/oauth/2.0/token` }) });
    assert.equal(granted.status, 200);
    assert.equal(granted.json['token_type'], 'DPoP');
  });

  test('an app made without it is unchanged: require_dpop false, Bearer tokens', async () => {
    const { clientId, clientSecret, app } = await server.createApp();
    assert.equal(app.requireDpop, false);
    assert.equal((await token(clientId, clientSecret!)).json['token_type'], 'Bearer');
  });

  test('the console registers an app with Require DPoP ticked, and its page can untick it', async () => {
    const owner = await signedIn(server.url, await server.createUser('dpop_console_owner'));
    const form = await owner.request('/console/apps/new');
    assert.match(form.body, /<input type="checkbox" id="require_dpop" name="require_dpop" value="1"\/>/);
    const created = await post(owner, form, '/console/apps', { name: 'DPoP app', root_domain: 'example.com', grant_types: 'client_credentials', response_types: 'code', scopes: 'basic', require_dpop: '1' });
    assert.equal(created.status, 201, created.body.slice(0, 300));
    const clientId = /id="client-id"[^>]*>([^<]*)</.exec(created.body)![1]!;
    const stores = server.instance.services.stores;
    assert.equal((await stores.apps.findApp(clientId))?.requireDpop, true);
    const path = `/console/apps/${clientId}`;
    const page = await owner.request(path);
    assert.match(page.body, /id="require_dpop" name="require_dpop" value="1" checked/);
    const saved = await post(owner, page, path, { name: 'DPoP app', root_domain: 'example.com', grant_types: 'client_credentials', response_types: 'code', scopes: 'basic' });
    assert.equal(saved.status, 200, saved.body.slice(0, 300));
    assert.equal((await stores.apps.findApp(clientId))?.requireDpop, false);
  });

  test('the admin API creates and patches require_dpop, and openapi.json documents it', async () => {
    const admin = await makeAdminApp(server);
    const adminToken = (await clientCredentials(server.url, admin.clientId, admin.clientSecret, 'gatehouse:admin')).json.access_token as string;
    const made = await call(server.url, 'POST', '/admin/v1/apps', { name: 'API app', root_domain: 'example.com', require_dpop: true }, adminToken);
    assert.equal(made.status, 201, made.text);
    assert.equal(made.json.require_dpop, true);
    const patched = await call(server.url, 'PATCH', `/admin/v1/apps/${made.json.client_id}`, { require_dpop: false }, adminToken);
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.json.require_dpop, false);
    const openapi = await call(server.url, 'GET', '/admin/v1/openapi.json', undefined, null);
    assert.match(openapi.text, /"require_dpop"/);
  });
});
