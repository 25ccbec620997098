/** SPEC §10 "(or DPoP, §8)": the admin API accepts a DPoP-bound admin token with its proof, and refuses it as Bearer. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { makeAdminApp } from '../admin/helpers.js';
import { makeProof, proofKey, type ProofKey } from '../helpers/dpop.js';
import { startServer, type TestServer } from '../helpers/server.js';

describe('DPoP at the admin API', () => {
  let server: TestServer;
  let key: ProofKey;
  let token: string;

  before(async () => {
    server = await startServer();
    key = await proofKey('ES256');
    const admin = await makeAdminApp(server);
    const tokenUrl = `${server.url}/oauth/2.0/token`;
    const response = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', dpop: await makeProof(key, { htu: tokenUrl }) },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: admin.clientId, client_secret: admin.clientSecret, scope: 'gatehouse:admin' }),
    });
    const json = (await response.json()) as { access_token: string; token_type: string };
    assert.equal(json.token_type, 'DPoP');
    token = json.access_token;
  });
  after(() => server.close());

  const apps = () => `${server.url}/admin/v1/apps`;

  test('lists apps with Authorization: DPoP and a proof of the bound key', async () => {
    const response = await fetch(apps(), { headers: { authorization: `DPoP ${token}`, dpop: await makeProof(key, { htm: 'GET', htu: apps(), accessToken: token }) } });
    assert.equal(response.status, 200);
    assert.ok(Array.isArray(((await response.json()) as { items: unknown[] }).items));
  });

  test('refuses the bound token as Bearer, and a proof of another key, with a DPoP invalid_token challenge', async () => {
    const asBearer = await fetch(apps(), { headers: { authorization: `Bearer ${token}` } });
    assert.equal(asBearer.status, 401);
    assert.equal(asBearer.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.equal(
      asBearer.headers.get('www-authenticate'),
      'DPoP error="invalid_token", error_description="this access token is DPoP-bound: send it as Authorization: DPoP with a DPoP proof", algs="ES256 EdDSA RS256 PS256"',
    );
    const other = await proofKey('ES256');
    const wrongKey = await fetch(apps(), { headers: { authorization: `DPoP ${token}`, dpop: await makeProof(other, { htm: 'GET', htu: apps(), accessToken: token }) } });
    assert.equal(wrongKey.status, 401);
    assert.match(wrongKey.headers.get('www-authenticate')!, /^DPoP error="invalid_token", error_description="the DPoP proof was made with another key/);
  });

  test('refuses a proof without ath with a DPoP invalid_dpop_proof challenge', async () => {
    const response = await fetch(apps(), { headers: { authorization: `DPoP ${token}`, dpop: await makeProof(key, { htm: 'GET', htu: apps() }) } });
    assert.equal(response.status, 401);
    assert.equal(
      response.headers.get('www-authenticate'),
      'DPoP error="invalid_dpop_proof", error_description="the DPoP proof has no ath claim (the hash of the access token)", algs="ES256 EdDSA RS256 PS256"',
    );
    assert.equal(((await response.json()) as { detail: string }).detail, 'the DPoP proof has no ath claim (the hash of the access token)');
  });
});
