/** SPEC §8 with GATEHOUSE_DPOP_NONCE=1: server-provided nonces (RFC 9449 §8, §9), shared by instances, the token endpoint and the resources. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Clock } from '../../src/core/ports.js';
import { makeProof, proofKey, type ProofKey } from '../helpers/dpop.js';
import { basic } from '../helpers/fixtures.js';
import { startServer, type TestServer } from '../helpers/server.js';

describe('DPoP nonces (GATEHOUSE_DPOP_NONCE=1)', () => {
  let first: TestServer;
  let second: TestServer;
  let client: { clientId: string; clientSecret: string };
  let key: ProofKey;
  let offset = 0;
  const clock: Clock = { now: () => Date.now() + offset };
  const seconds = () => Math.floor(clock.now() / 1000);

  async function token(server: TestServer, nonce?: string) {
    const url = `${server.url}/oauth/2.0/token`;
    const proof = await makeProof(key, { htu: url, iat: seconds(), ...(nonce === undefined ? {} : { nonce }) });
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client.clientId, client.clientSecret), dpop: proof },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    return { status: response.status, nonce: response.headers.get('dpop-nonce'), headers: response.headers, json: (await response.json()) as Record<string, unknown> };
  }
  async function resource(server: TestServer, accessToken: string, nonce?: string) {
    const url = `${server.url}/rest/2.0/passport/auth/expireSession`;
    const proof = await makeProof(key, { htu: url, iat: seconds(), accessToken, ...(nonce === undefined ? {} : { nonce }) });
    const response = await fetch(url, { method: 'POST', headers: { authorization: `DPoP ${accessToken}`, dpop: proof } });
    return { status: response.status, nonce: response.headers.get('dpop-nonce'), headers: response.headers, json: (await response.json()) as Record<string, unknown> };
  }

  before(async () => {
    const env = { GATEHOUSE_DPOP_NONCE: '1' };
    first = await startServer({ env, deps: { clock } });
    // A second instance on the same database: it shares the cookie key the nonces are keyed from.
    second = await startServer({ env, deps: { clock }, databaseUrl: `sqlite:${join(first.dir, 'gatehouse.db')}` });
    const made = await first.createApp();
    client = { clientId: made.clientId, clientSecret: made.clientSecret! };
    key = await proofKey();
  });
  after(async () => {
    await second.close();
    await first.close();
  });

  test('a proof without a nonce: 400 use_dpop_nonce with a DPoP-Nonce; the retry with it succeeds and carries the current one', async () => {
    const refused = await token(first);
    assert.equal(refused.status, 400);
    assert.deepEqual(refused.json, {
      error: 'use_dpop_nonce',
      error_description: 'the DPoP proof must carry the nonce of the DPoP-Nonce header',
      error_uri: `${first.url}/oauth/2.0/errors/use_dpop_nonce`,
    });
    assert.ok(refused.nonce);
    const retried = await token(first, refused.nonce);
    assert.equal(retried.status, 200);
    assert.equal(retried.json['token_type'], 'DPoP');
    assert.ok(retried.nonce);
  });

  test('a nonce one instance gave works at the other instance, at the token endpoint and at a resource', async () => {
    const nonce = (await token(first)).nonce!;
    const issued = await token(second, nonce);
    assert.equal(issued.status, 200);
    const used = await resource(first, issued.json['access_token'] as string, issued.nonce!);
    assert.equal(used.status, 200);
    assert.ok(used.nonce);
  });

  test('a resource refuses a proof without the nonce: 401 DPoP error="use_dpop_nonce" with a fresh DPoP-Nonce and error_code 110', async () => {
    const nonce = (await token(first)).nonce!;
    const accessToken = (await token(first, nonce)).json['access_token'] as string;
    const refused = await resource(second, accessToken);
    assert.equal(refused.status, 401);
    assert.equal(
      refused.headers.get('www-authenticate'),
      'DPoP error="use_dpop_nonce", error_description="the DPoP proof must carry the nonce of the DPoP-Nonce header", algs="ES256 EdDSA RS256 PS256"',
    );
    assert.equal(refused.json['error'], 'use_dpop_nonce');
    assert.equal(refused.json['error_code'], 110);
    assert.ok(refused.nonce);
    assert.equal((await resource(second, accessToken, refused.nonce!)).status, 200);
  });

  test('a nonce older than 5 minutes is stale: use_dpop_nonce, and the fresh one in that answer works', async () => {
    const nonce = (await token(first)).nonce!;
    offset += 301_000;
    const stale = await token(first, nonce);
    assert.equal(stale.status, 400);
    assert.equal(stale.json['error'], 'use_dpop_nonce');
    assert.equal(stale.json['error_description'], "the DPoP proof's nonce is unknown or stale: use the one of the DPoP-Nonce header");
    assert.notEqual(stale.nonce, nonce);
    assert.equal((await token(first, stale.nonce!)).status, 200);
  });

  test('a request without DPoP still gets its answer, with the current nonce offered', async () => {
    const response = await fetch(`${first.url}/oauth/2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client.clientId, client.clientSecret) },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as Record<string, unknown>)['token_type'], 'Bearer');
    assert.ok(response.headers.get('dpop-nonce'));
  });
});
