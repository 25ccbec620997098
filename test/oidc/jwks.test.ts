import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startServer, type TestServer } from '../helpers/server.js';

describe('GET /oauth/2.0/jwks (SPEC §7 Keys)', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  it('publishes one public key per algorithm with kid, kty, alg and use, cached at most 300 s, and no private member', async () => {
    const response = await fetch(`${server.url}/oauth/2.0/jwks`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.equal(response.headers.get('cache-control'), 'public, max-age=300');
    const { keys } = (await response.json()) as { keys: Record<string, unknown>[] };
    assert.deepEqual(keys.map((key) => key['alg']).sort(), ['ES256', 'EdDSA', 'PS256', 'RS256']);
    for (const key of keys) {
      assert.equal(key['use'], 'sig');
      assert.equal(typeof key['kid'], 'string');
      assert.ok(['RSA', 'EC', 'OKP'].includes(key['kty'] as string));
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) assert.equal(key[secret], undefined, `${key['alg']} leaks ${secret}`);
    }
  });

  it('verifies what the server signs, through jose createRemoteJWKSet', async () => {
    const jwt = await server.instance.signer.sign({ iss: server.url, sub: 'u1', exp: Math.floor(Date.now() / 1000) + 60 }, { alg: 'ES256' });
    const jwks = createRemoteJWKSet(new URL(`${server.url}/oauth/2.0/jwks`));
    const { payload, protectedHeader } = await jwtVerify(jwt, jwks, { issuer: server.url });
    assert.equal(payload.sub, 'u1');
    assert.equal(protectedHeader.alg, 'ES256');
  });

  it('answers 405 with Allow for POST', async () => {
    const response = await fetch(`${server.url}/oauth/2.0/jwks`, { method: 'POST' });
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('allow'), 'GET, HEAD');
  });
});
