import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { createGateway } from '../../examples/introspection-gateway.js';
import { basic, startResourceFixture, type ResourceFixture } from './fixture.js';

/** The README's recipe, run: a gateway that asks /oauth/2.0/introspect with a resource server's credentials. */
describe('gateway recipe: protecting an API with introspection', () => {
  let f: ResourceFixture;
  let gateway: Server;
  let gatewayUrl: string;

  const ask = (token?: string) => fetch(`${gatewayUrl}/api/files`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  before(async () => {
    f = await startResourceFixture();
    gateway = createGateway({ issuer: f.server.url, clientId: f.rs.clientId, clientSecret: f.rs.clientSecret });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((resolve) => gateway.close(resolve));
    await f.server.close();
  });

  test("lets a live access token of any app through with 200 and says who calls", async () => {
    const tokens = await f.codeTokens(f.own);
    const answer = await ask(tokens.access_token);
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('x-gatehouse-sub'), f.person.uid);
    assert.equal(answer.headers.get('x-gatehouse-client-id'), f.own.clientId);
    assert.equal(answer.headers.get('x-gatehouse-username'), encodeURIComponent(f.person.username));
    assert.equal(answer.headers.get('x-gatehouse-scope'), 'basic');
    assert.deepEqual(await answer.json(), { allowed: true, sub: f.person.uid, client_id: f.own.clientId, scope: 'basic' });
  });

  test('answers 401 with a bare challenge when no token is sent', async () => {
    const answer = await ask();
    assert.equal(answer.status, 401);
    assert.equal(answer.headers.get('www-authenticate'), 'Bearer realm="api"');
    assert.deepEqual(await answer.json(), { allowed: false });
  });

  test('answers 401 invalid_token once the token is revoked', async () => {
    const tokens = await f.codeTokens(f.own);
    assert.equal((await ask(tokens.access_token)).status, 200);
    const revoked = await f.post('/oauth/2.0/revoke', { token: tokens.access_token }, basic(f.own.clientId, f.own.clientSecret));
    assert.equal(revoked.status, 200);
    const answer = await ask(tokens.access_token);
    assert.equal(answer.status, 401);
    assert.equal(answer.headers.get('www-authenticate'), 'Bearer realm="api", error="invalid_token"');
  });

  test('answers 401 for a refresh token (no token_type "Bearer") and for an unknown one', async () => {
    const tokens = await f.codeTokens(f.own);
    assert.equal((await ask(tokens.refresh_token!)).status, 401);
    assert.equal((await ask('nonsense')).status, 401);
  });

  test('answers 403 insufficient_scope for a live token without the scope the API needs', async () => {
    const tokens = await f.codeTokens(f.own, 'email');
    const answer = await ask(tokens.access_token);
    assert.equal(answer.status, 403);
    assert.equal(answer.headers.get('www-authenticate'), 'Bearer realm="api", error="insufficient_scope", scope="basic"');
  });

  test('answers 503, never 200, when its own credentials are wrong', async () => {
    const broken = createGateway({ issuer: f.server.url, clientId: f.rs.clientId, clientSecret: 'wrong' });
    await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
    try {
      const tokens = await f.codeTokens(f.own);
      const answer = await fetch(`http://127.0.0.1:${(broken.address() as AddressInfo).port}/`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      assert.equal(answer.status, 503);
    } finally {
      await new Promise((resolve) => broken.close(resolve));
    }
  });
});
