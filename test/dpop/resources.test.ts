/** SPEC §8 DPoP at every protected resource: the DPoP scheme with ath, and every way a proof or a binding can be wrong. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { boundCodeTokens, makeProof, proofKey, type ProofKey } from '../helpers/dpop.js';
import { startServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'https://app.example.com/cb';
const ALGS = 'algs="ES256 EdDSA RS256 PS256"';

describe('DPoP at the protected resources', () => {
  let server: TestServer;
  let client: { clientId: string; clientSecret: string; redirectUri: string };
  let person: { uid: string; username: string; password: string };
  let key: ProofKey;

  const url = (path: string) => `${server.url}${path}`;
  const tokens = (scope?: string) => boundCodeTokens(server.url, client, person, key, scope);
  async function call(path: string, headers: Record<string, string>, method = 'GET') {
    const response = await fetch(url(path), { method, headers });
    const text = await response.text();
    return { status: response.status, headers: response.headers, json: JSON.parse(text) as Record<string, unknown> };
  }
  const dpopCall = async (path: string, token: string, options: { method?: string; with?: ProofKey; htu?: string; htm?: string; ath?: string | null } = {}) => {
    const method = options.method ?? 'GET';
    const proof = await makeProof(options.with ?? key, {
      htm: options.htm ?? method,
      htu: options.htu ?? url(path),
      ...(options.ath === null ? {} : { accessToken: options.ath ?? token }),
    });
    return call(path, { authorization: `DPoP ${token}`, dpop: proof }, method);
  };
  function assertDpopError(answer: Awaited<ReturnType<typeof call>>, code: string, description: string) {
    assert.equal(answer.status, 401);
    assert.equal(answer.headers.get('www-authenticate'), `DPoP error="${code}", error_description="${description}", ${ALGS}`);
    assert.deepEqual(answer.json, {
      error: code,
      error_description: description,
      error_uri: `${server.url}/oauth/2.0/errors/${code}`,
      error_code: 110,
      error_msg: 'Access token invalid or no longer valid',
    });
  }

  before(async () => {
    server = await startServer();
    const made = await server.createApp({ redirectUris: [REDIRECT], scopes: ['basic', 'email', 'openid'] });
    client = { clientId: made.clientId, clientSecret: made.clientSecret!, redirectUri: REDIRECT };
    person = await server.createUser();
    key = await proofKey('ES256');
  });
  after(() => server.close());

  test('getLoggedInUser, getInfo, getEmail and userinfo accept Authorization: DPoP with a proof carrying ath', async () => {
    const { access_token: token, token_type } = await tokens('basic email openid');
    assert.equal(token_type, 'DPoP');
    const me = await dpopCall('/rest/2.0/passport/users/getLoggedInUser', token);
    assert.equal(me.status, 200);
    assert.equal(me.json['uid'], person.uid);
    assert.equal((await dpopCall('/rest/2.0/passport/users/getInfo', token)).status, 200);
    assert.equal((await dpopCall('/rest/2.0/passport/users/getEmail', token)).status, 200);
    const info = await dpopCall('/oauth/2.0/userinfo', token);
    assert.equal(info.status, 200);
    assert.equal(info.json['sub'], person.uid);
    const posted = await dpopCall('/oauth/2.0/userinfo', token, { method: 'POST' });
    assert.equal(posted.status, 200);
  });

  test('expireSession and revokeAuthorization accept a DPoP-bound token', async () => {
    const first = await tokens();
    const expired = await dpopCall('/rest/2.0/passport/auth/expireSession', first.access_token, { method: 'POST' });
    assert.deepEqual([expired.status, expired.json], [200, { result: '1' }]);
    const second = await tokens();
    const revoked = await dpopCall('/rest/2.0/passport/auth/revokeAuthorization', second.access_token, { method: 'POST' });
    assert.deepEqual([revoked.status, revoked.json], [200, { result: '1' }]);
  });

  test('a DPoP-bound token sent as Bearer (header or access_token parameter) is 401 with a DPoP invalid_token challenge', async () => {
    const { access_token: token } = await tokens();
    const description = 'this access token is DPoP-bound: send it as Authorization: DPoP with a DPoP proof';
    assertDpopError(await call('/rest/2.0/passport/users/getLoggedInUser', { authorization: `Bearer ${token}` }), 'invalid_token', description);
    assertDpopError(await call(`/rest/2.0/passport/users/getLoggedInUser?access_token=${token}`, {}), 'invalid_token', description);
    // With a valid proof beside it, Bearer is still a downgrade.
    const proof = await makeProof(key, { htm: 'GET', htu: url('/oauth/2.0/userinfo'), accessToken: token });
    assertDpopError(await call('/oauth/2.0/userinfo', { authorization: `Bearer ${token}`, dpop: proof }), 'invalid_token', description);
  });

  test('a proof without ath, or with the hash of another token, is 401 invalid_dpop_proof', async () => {
    const { access_token: token } = await tokens();
    assertDpopError(await dpopCall('/rest/2.0/passport/users/getLoggedInUser', token, { ath: null }), 'invalid_dpop_proof', 'the DPoP proof has no ath claim (the hash of the access token)');
    assertDpopError(await dpopCall('/rest/2.0/passport/users/getLoggedInUser', token, { ath: 'another token' }), 'invalid_dpop_proof', "the DPoP proof's ath does not match the access token");
  });

  test('a proof signed by another key than cnf.jkt is 401 invalid_token (RFC 9449 §7.1 "Invalid DPoP key binding")', async () => {
    const { access_token: token } = await tokens();
    assertDpopError(
      await dpopCall('/rest/2.0/passport/users/getLoggedInUser', token, { with: await proofKey('EdDSA') }),
      'invalid_token',
      'the DPoP proof was made with another key than the access token is bound to',
    );
  });

  test('htu and htm name this request; a replayed proof and a missing DPoP header are refused', async () => {
    const { access_token: token } = await tokens('basic email openid');
    const path = '/rest/2.0/passport/users/getLoggedInUser';
    assertDpopError(await dpopCall(path, token, { htu: url('/oauth/2.0/userinfo') }), 'invalid_dpop_proof', `the DPoP proof's htu does not match ${url(path)}`);
    assertDpopError(await dpopCall(path, token, { method: 'POST', htm: 'GET' }), 'invalid_dpop_proof', "the DPoP proof's htm does not match the request method POST");
    const proof = await makeProof(key, { htm: 'GET', htu: url(path), accessToken: token });
    assert.equal((await call(path, { authorization: `DPoP ${token}`, dpop: proof })).status, 200);
    assertDpopError(await call(path, { authorization: `DPoP ${token}`, dpop: proof }), 'invalid_dpop_proof', "the DPoP proof's jti has been used before: make a new proof for every request");
    assertDpopError(await call(path, { authorization: `DPoP ${token}` }), 'invalid_dpop_proof', 'the DPoP scheme needs a DPoP proof header');
  });

  test('the error reference explains the DPoP causes of invalid_token, in English and Chinese', async () => {
    const en = await (await fetch(url('/oauth/2.0/errors/invalid_token?lang=en'))).text();
    assert.ok(en.includes('Authorization: DPoP TOKEN'), 'en');
    const zh = await (await fetch(url('/oauth/2.0/errors/invalid_token?lang=zh-CN'))).text();
    assert.ok(zh.includes('令牌已绑定 DPoP 密钥'), 'zh-CN');
  });

  test('a Bearer token sent with the DPoP scheme is refused; Bearer tokens work as before', async () => {
    const response = await fetch(url('/oauth/2.0/token'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret }),
    });
    const bearer = ((await response.json()) as { access_token: string }).access_token;
    assertDpopError(await dpopCall('/rest/2.0/passport/auth/expireSession', bearer, { method: 'POST' }), 'invalid_token', 'this access token is not DPoP-bound: send it as Bearer');
    const plain = await call('/rest/2.0/passport/auth/expireSession', { authorization: `Bearer ${bearer}` }, 'POST');
    assert.equal(plain.status, 200);
  });
});
