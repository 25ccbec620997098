import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.js';

describe('GET /.well-known/oauth-authorization-server (RFC 8414)', () => {
  let server: TestServer;
  let metadata: Record<string, unknown>;
  let response: Response;

  before(async () => {
    server = await startServer();
    await server.instance.services.stores.scopes.saveScope({ name: 'netdisk', description: 'Files' });
    response = await fetch(`${server.url}/.well-known/oauth-authorization-server`);
    metadata = (await response.json()) as Record<string, unknown>;
  });
  after(() => server.close());

  test('answers every field of SPEC §1, built from the issuer', () => {
    const issuer = server.url;
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type')!, /^application\/json/);
    const methods = ['client_secret_post', 'client_secret_basic', 'none'];
    assert.deepEqual(metadata, {
      issuer,
      authorization_endpoint: `${issuer}/oauth/2.0/authorize`,
      token_endpoint: `${issuer}/oauth/2.0/token`,
      device_authorization_endpoint: `${issuer}/oauth/2.0/device/code`,
      revocation_endpoint: `${issuer}/oauth/2.0/revoke`,
      introspection_endpoint: `${issuer}/oauth/2.0/introspect`,
      grant_types_supported: ['authorization_code', 'implicit', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code', 'device_token'],
      response_types_supported: ['code', 'token'],
      response_modes_supported: ['query', 'fragment'],
      code_challenge_methods_supported: ['S256', 'plain'],
      token_endpoint_auth_methods_supported: methods,
      revocation_endpoint_auth_methods_supported: methods,
      introspection_endpoint_auth_methods_supported: methods,
      scopes_supported: ['basic', 'email', 'netdisk', 'offline_access', 'openid', 'profile'],
      service_documentation: `${issuer}/oauth/2.0/errors`,
      ui_locales_supported: ['en', 'zh-CN'],
    });
  });

  test('lists no endpoint that the server does not serve: each URL answers its method with something other than 404', async () => {
    // The method each endpoint is meant for (RFC 8414 §2); an empty request is enough to tell "no such route" from "bad request".
    const methods: Record<string, string> = {
      authorization_endpoint: 'GET',
      token_endpoint: 'POST',
      device_authorization_endpoint: 'POST',
      revocation_endpoint: 'POST',
      introspection_endpoint: 'POST',
      service_documentation: 'GET',
    };
    const urlFields = Object.keys(metadata).filter((name) => name.endsWith('_endpoint') || name === 'service_documentation');
    assert.deepEqual(urlFields.sort(), Object.keys(methods).sort(), 'every URL field has a method to try');
    const missing: string[] = [];
    for (const field of urlFields) {
      const url = metadata[field] as string;
      assert.ok(url.startsWith(`${server.url}/`), `${field} is under the issuer`);
      const method = methods[field]!;
      const answer = await fetch(url, {
        method,
        redirect: 'manual',
        ...(method === 'POST' ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' } : {}),
      });
      await answer.arrayBuffer();
      if (answer.status === 404 || answer.status === 405) missing.push(`${field} ${method} ${url} → ${answer.status}`);
    }
    assert.deepEqual(missing, []);
  });

  test('the error reference it names as service_documentation is a page', async () => {
    const page = await fetch(metadata['service_documentation'] as string);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type')!, /^text\/html/);
    assert.match(await page.text(), /invalid_request/);
  });

  test('answers POST with 405', async () => {
    const answer = await fetch(`${server.url}/.well-known/oauth-authorization-server`, { method: 'POST' });
    assert.equal(answer.status, 405);
    assert.equal(answer.headers.get('allow'), 'GET, HEAD');
  });
});
