/**
 * JWT access tokens (RFC 9068, SPEC §8): `--access-token-format jwt` apps get
 * a JWS with `typ: at+jwt` and the claims SPEC §8 names, verifiable with the
 * published JWKS; the token still has its row, so revocation, introspection,
 * tokeninfo and every protected resource work on it as on an opaque one; a
 * forged one (alg swapped, signature stripped, payload changed, another kind
 * of JWT of ours) is inactive.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import type { TokenJson } from '../helpers/browserless-flow.js';
import { codeFlowTokens } from '../helpers/browserless-flow.js';
import { makeProof, proofKey } from '../helpers/dpop.js';
import { basic, startResourceFixture, type Client, type ResourceFixture } from './fixture.js';

const THIRTY_DAYS = 2_592_000;
const API = 'https://api.example.com/';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const parts = (jws: string) => jws.split('.') as [string, string, string];
const json = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>;

describe('JWT access tokens (RFC 9068)', () => {
  let f: ResourceFixture;
  let jwtApp: Client;

  const introspect = async (token: string) => (await f.post('/oauth/2.0/introspect', { token }, basic(jwtApp.clientId, jwtApp.clientSecret))).json() as Record<string, unknown>;
  const jwks = async () => createLocalJWKSet((await (await fetch(new URL('/oauth/2.0/jwks', f.server.url))).json()) as JSONWebKeySet);
  const codeTokens = (scope?: string) => codeFlowTokens(f.server.url, { ...jwtApp, ...(scope ? { scope } : {}) }, f.person);
  const loggedInUser = (token: string) => f.get('/rest/2.0/passport/users/getLoggedInUser', { authorization: `Bearer ${token}` });

  before(async () => {
    f = await startResourceFixture();
    const redirectUri = 'https://app.jwt-app.com/cb';
    const made = await f.server.createApp({ rootDomain: 'jwt-app.com', redirectUris: [redirectUri], scopes: ['basic', 'openid', 'offline_access'], accessTokenFormat: 'jwt' });
    jwtApp = { clientId: made.clientId, clientSecret: made.clientSecret!, redirectUri };
  });
  after(() => f.server.close());

  test('a DPoP-bound JWT access token carries cnf.jkt of the proof key (RFC 9068 §2.2.1, RFC 9449 §6.1); introspection agrees', async () => {
    const key = await proofKey();
    const htu = `${f.server.url}/oauth/2.0/token`;
    const response = await fetch(htu, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(jwtApp.clientId, jwtApp.clientSecret), dpop: await makeProof(key, { htu }) },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'basic' }),
    });
    assert.equal(response.status, 200);
    const tokens = (await response.json()) as TokenJson;
    assert.equal(tokens.token_type, 'DPoP');
    const { payload } = await jwtVerify(tokens.access_token, await jwks(), { issuer: f.server.url, typ: 'at+jwt' });
    assert.deepEqual(Object.keys(payload), ['iss', 'exp', 'aud', 'sub', 'client_id', 'iat', 'jti', 'scope', 'cnf']);
    assert.deepEqual(payload.cnf, { jkt: key.jkt });
    const introspected = await introspect(tokens.access_token);
    assert.deepEqual([introspected['active'], introspected['token_type'], introspected['cnf']], [true, 'DPoP', { jkt: key.jkt }]);
  });

  test('the code flow returns a JWS with typ at+jwt and exactly the RFC 9068 claims, verified by the published JWKS', async () => {
    const tokens = await codeTokens();
    assert.equal(tokens.token_type, 'Bearer');
    assert.equal(tokens.expires_in, THIRTY_DAYS);
    const header = decodeProtectedHeader(tokens.access_token);
    assert.equal(header.typ, 'at+jwt');
    assert.equal(header.alg, 'RS256');
    assert.equal(typeof header.kid, 'string');
    const { payload } = await jwtVerify(tokens.access_token, await jwks(), { issuer: f.server.url, audience: jwtApp.clientId, typ: 'at+jwt' });
    assert.deepEqual(Object.keys(payload), ['iss', 'exp', 'aud', 'sub', 'client_id', 'iat', 'jti', 'scope']);
    assert.deepEqual(payload, {
      iss: f.server.url,
      exp: payload.iat! + THIRTY_DAYS,
      aud: jwtApp.clientId,
      sub: f.person.uid,
      client_id: jwtApp.clientId,
      iat: payload.iat,
      jti: payload.jti,
      scope: 'basic',
    });
    assert.match(payload.jti!, /^[1-9][0-9]*$/);
    // The refresh token stays opaque: only the access token is a JWT.
    assert.match(tokens.refresh_token!, /^[0-9]+\.[A-Za-z0-9_-]{43}$/);
  });

  test('introspection, tokeninfo and getLoggedInUser accept it; after revocation all three refuse it', async () => {
    const { access_token: token } = await codeTokens();
    const active = await introspect(token);
    assert.deepEqual(active, {
      active: true,
      scope: 'basic',
      client_id: jwtApp.clientId,
      username: f.person.username,
      token_type: 'Bearer',
      exp: active['exp'],
      iat: active['iat'],
      sub: f.person.uid,
      aud: jwtApp.clientId,
      iss: f.server.url,
    });
    const info = await f.get(`/oauth/2.0/tokeninfo?access_token=${encodeURIComponent(token)}`);
    assert.equal(info.status, 200);
    assert.equal((info.json() as Record<string, unknown>)['userid'], f.person.uid);
    const user = await loggedInUser(token);
    assert.equal(user.status, 200);
    assert.equal((user.json() as Record<string, unknown>)['uid'], f.person.uid);

    const revoked = await f.post('/oauth/2.0/revoke', { token }, basic(jwtApp.clientId, jwtApp.clientSecret));
    assert.equal(revoked.status, 200);
    assert.equal(JSON.stringify(await introspect(token)), '{"active":false}');
    assert.equal((await f.get(`/oauth/2.0/tokeninfo?access_token=${encodeURIComponent(token)}`)).status, 400);
    const refused = await loggedInUser(token);
    assert.equal(refused.status, 401);
    assert.equal((refused.json() as Record<string, unknown>)['error_description'], 'the access token has been revoked');
  });

  test('userinfo accepts it, and a refresh returns a new JWT access token', async () => {
    const tokens = await codeTokens('openid offline_access');
    const info = await f.get('/oauth/2.0/userinfo', { authorization: `Bearer ${tokens.access_token}` });
    assert.equal(info.status, 200);
    assert.equal((info.json() as Record<string, unknown>)['sub'], f.person.uid);
    const refreshed = await f.post('/oauth/2.0/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }, basic(jwtApp.clientId, jwtApp.clientSecret));
    assert.equal(refreshed.status, 200);
    const next = refreshed.json() as TokenJson;
    assert.equal(decodeProtectedHeader(next.access_token).typ, 'at+jwt');
    assert.notEqual(next.access_token, tokens.access_token);
    assert.equal((await introspect(next.access_token))['active'], true);
  });

  test('client credentials: sub is the client_id, aud the resource asked for', async () => {
    const answer = await f.post('/oauth/2.0/token', { grant_type: 'client_credentials', resource: API }, basic(jwtApp.clientId, jwtApp.clientSecret));
    assert.equal(answer.status, 200);
    const { payload } = await jwtVerify((answer.json() as TokenJson).access_token, await jwks(), { typ: 'at+jwt', audience: API });
    assert.equal(payload.sub, jwtApp.clientId);
    assert.equal(payload.client_id, jwtApp.clientId);
    assert.equal(payload.aud, API);
  });

  test('a forged JWT is inactive: alg swapped, signature stripped, payload changed, an id_token in its place', async () => {
    const tokens = await codeTokens('basic openid');
    const [header, payload, signature] = parts(tokens.access_token);
    const claims = json(payload);
    const forgeries = {
      'alg none, no signature': `${b64({ ...json(header), alg: 'none' })}.${payload}.`,
      'alg swapped to HS256': `${b64({ ...json(header), alg: 'HS256' })}.${payload}.${signature}`,
      'alg swapped to ES256': `${b64({ ...json(header), alg: 'ES256' })}.${payload}.${signature}`,
      'signature stripped': `${header}.${payload}.`,
      'scope widened, signature kept': `${header}.${b64({ ...claims, scope: 'basic email' })}.${signature}`,
      'jti of another row, signature kept': `${header}.${b64({ ...claims, jti: String(Number(claims['jti']) + 1) })}.${signature}`,
      'typ changed to JWT': `${b64({ ...json(header), typ: 'JWT' })}.${payload}.${signature}`,
      'an id_token of ours (typ JWT)': (tokens as TokenJson & { id_token: string }).id_token,
    };
    assert.equal((await introspect(tokens.access_token))['active'], true);
    for (const [what, forged] of Object.entries(forgeries)) {
      assert.equal(JSON.stringify(await introspect(forged)), '{"active":false}', what);
      const user = await loggedInUser(forged);
      assert.equal(user.status, 401, what);
      assert.equal((user.json() as Record<string, unknown>)['error'], 'invalid_token', what);
    }
    // The real one still works: nothing a forgery did touched it.
    assert.equal((await loggedInUser(tokens.access_token)).status, 200);
  });

  test('an opaque app (the default) still gets id.secret tokens', async () => {
    const tokens = await f.codeTokens(f.own);
    assert.match(tokens.access_token, /^[0-9]+\.[A-Za-z0-9_-]{43}$/);
  });
});
