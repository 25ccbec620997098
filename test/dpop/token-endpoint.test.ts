/** SPEC §8 DPoP at /oauth/2.0/token: every grant binds, introspection shows the binding, bound refresh tokens of public apps. */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { clientParams, requestDevice, RFC_GRANT, visitDevicePage } from '../device/helpers.js';
import { authorize, Browser, redirectParams } from '../helpers/browserless-flow.js';
import { makeProof, proofKey, type ProofKey } from '../helpers/dpop.js';
import { basic } from '../helpers/fixtures.js';
import { startServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'https://app.example.com/cb';

describe('DPoP at the token endpoint', () => {
  let server: TestServer;
  let confidential: { clientId: string; clientSecret: string };
  let publicApp: { clientId: string };
  let resourceServer: { clientId: string; clientSecret: string };
  let person: { username: string; password: string };
  let key: ProofKey;
  let tokenUrl: string;

  async function post(form: Record<string, string>, headers: Record<string, string> = {}) {
    const response = await fetch(tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form) });
    return { status: response.status, headers: response.headers, json: (await response.json()) as Record<string, unknown> };
  }
  const proof = (with_ = key, options: { htu?: string; htm?: string } = {}) => makeProof(with_, { htu: options.htu ?? tokenUrl, htm: options.htm ?? 'POST' });
  async function introspectAt(token: string) {
    const response = await fetch(`${server.url}/oauth/2.0/introspect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(resourceServer.clientId, resourceServer.clientSecret) },
      body: new URLSearchParams({ token }),
    });
    return (await response.json()) as Record<string, unknown>;
  }
  async function publicCode(): Promise<{ code: string; verifier: string }> {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const final = await authorize(
      new Browser(server.url),
      { response_type: 'code', client_id: publicApp.clientId, redirect_uri: REDIRECT, code_challenge: challenge, code_challenge_method: 'S256' },
      person,
    );
    return { code: redirectParams(final.location!).get('code')!, verifier };
  }
  function assertProofError(answer: { status: number; json: Record<string, unknown> }, code: string, description: string) {
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.json, { error: code, error_description: description, error_uri: `${server.url}/oauth/2.0/errors/${code}` });
  }

  before(async () => {
    server = await startServer();
    tokenUrl = `${server.url}/oauth/2.0/token`;
    const made = await server.createApp({ redirectUris: [REDIRECT] });
    confidential = { clientId: made.clientId, clientSecret: made.clientSecret! };
    publicApp = { clientId: (await server.createApp({ redirectUris: [REDIRECT], isPublic: true })).clientId };
    const rs = await server.createApp({ isResourceServer: true });
    resourceServer = { clientId: rs.clientId, clientSecret: rs.clientSecret! };
    person = await server.createUser();
    key = await proofKey('ES256');
  });
  after(() => server.close());

  test('client_credentials with a proof: token_type DPoP, and introspection answers token_type DPoP and cnf.jkt', async () => {
    const answer = await post({ grant_type: 'client_credentials' }, { authorization: basic(confidential.clientId, confidential.clientSecret), dpop: await proof() });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    assert.equal(answer.json['token_type'], 'DPoP');
    assert.equal(answer.json['refresh_token'], undefined);
    const seen = await introspectAt(answer.json['access_token'] as string);
    assert.equal(seen['active'], true);
    assert.equal(seen['token_type'], 'DPoP');
    assert.deepEqual(seen['cnf'], { jkt: key.jkt });
  });

  test('without a proof nothing changes: token_type Bearer, no cnf in introspection', async () => {
    const answer = await post({ grant_type: 'client_credentials' }, { authorization: basic(confidential.clientId, confidential.clientSecret) });
    assert.equal(answer.json['token_type'], 'Bearer');
    const seen = await introspectAt(answer.json['access_token'] as string);
    assert.equal(seen['token_type'], 'Bearer');
    assert.equal('cnf' in seen, false);
  });

  test("a public app's code grant binds both tokens; its refresh needs the same key, and neither failure uses the token up", async () => {
    const { code, verifier } = await publicCode();
    const first = await post({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: publicApp.clientId, code_verifier: verifier }, { dpop: await proof() });
    assert.equal(first.status, 200);
    assert.equal(first.json['token_type'], 'DPoP');
    const refreshToken = first.json['refresh_token'] as string;
    assert.deepEqual((await introspectAt(refreshToken))['cnf'], { jkt: key.jkt });

    const refresh = { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: publicApp.clientId };
    assertProofError(await post(refresh), 'invalid_dpop_proof', 'this refresh_token is DPoP-bound: send a DPoP proof made with its key');
    assertProofError(await post(refresh, { dpop: await proof(await proofKey('EdDSA')) }), 'invalid_grant', 'this refresh_token is bound to another DPoP key');
    assert.equal((await introspectAt(refreshToken))['active'], true, 'still unused');
    assert.equal((await introspectAt(first.json['access_token'] as string))['active'], true, 'nothing revoked');

    const second = await post(refresh, { dpop: await proof() });
    assert.equal(second.status, 200);
    assert.equal(second.json['token_type'], 'DPoP');
    assert.deepEqual((await introspectAt(second.json['refresh_token'] as string))['cnf'], { jkt: key.jkt }, 'the new refresh token is bound too');
    assert.deepEqual((await introspectAt(second.json['access_token'] as string))['cnf'], { jkt: key.jkt });
  });

  test("a confidential app's refresh token is not bound (RFC 9449 §5): refreshing without a proof gives Bearer", async () => {
    const final = await authorize(new Browser(server.url), { response_type: 'code', client_id: confidential.clientId, redirect_uri: REDIRECT }, person);
    const code = redirectParams(final.location!).get('code')!;
    const credentials = { client_id: confidential.clientId, client_secret: confidential.clientSecret };
    const first = await post({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, ...credentials }, { dpop: await proof() });
    assert.equal(first.json['token_type'], 'DPoP');
    assert.equal('cnf' in (await introspectAt(first.json['refresh_token'] as string)), false);
    const second = await post({ grant_type: 'refresh_token', refresh_token: first.json['refresh_token'] as string, ...credentials });
    assert.equal(second.status, 200);
    assert.equal(second.json['token_type'], 'Bearer');
  });

  for (const dialect of [{ grantType: 'device_token', parameter: 'code' }, { grantType: RFC_GRANT, parameter: 'device_code' }]) {
    test(`the device grant (${dialect.grantType}) binds the tokens of the successful poll`, async () => {
      const device = await requestDevice(server.url, { client_id: confidential.clientId });
      await visitDevicePage(server.url, device.user_code, person);
      const answer = await post(
        { grant_type: dialect.grantType, [dialect.parameter]: device.device_code, ...clientParams(confidential) },
        { dpop: await proof() },
      );
      assert.equal(answer.status, 200, JSON.stringify(answer.json));
      assert.equal(answer.json['token_type'], 'DPoP');
      assert.deepEqual((await introspectAt(answer.json['access_token'] as string))['cnf'], { jkt: key.jkt });
    });
  }

  test('a bad proof is 400 invalid_dpop_proof: replayed jti, another htu, another htm (a GET token request)', async () => {
    const auth = { authorization: basic(confidential.clientId, confidential.clientSecret) };
    const once = await proof();
    assert.equal((await post({ grant_type: 'client_credentials' }, { ...auth, dpop: once })).status, 200);
    assertProofError(await post({ grant_type: 'client_credentials' }, { ...auth, dpop: once }), 'invalid_dpop_proof', "the DPoP proof's jti has been used before: make a new proof for every request");
    assertProofError(
      await post({ grant_type: 'client_credentials' }, { ...auth, dpop: await proof(key, { htu: `${server.url}/oauth/2.0/par` }) }),
      'invalid_dpop_proof',
      `the DPoP proof's htu does not match ${tokenUrl}`,
    );
    const get = await fetch(`${tokenUrl}?grant_type=client_credentials`, { headers: { ...auth, dpop: await proof() } });
    assert.equal(get.status, 400);
    assert.equal(((await get.json()) as Record<string, unknown>)['error_description'], "the DPoP proof's htm does not match the request method GET");
    const getOk = await fetch(`${tokenUrl}?grant_type=client_credentials`, { headers: { ...auth, dpop: await proof(key, { htm: 'GET' }) } });
    assert.equal(((await getOk.json()) as Record<string, unknown>)['token_type'], 'DPoP');
  });
});
