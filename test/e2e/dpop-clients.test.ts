/**
 * SPEC §8 end to end with the clients' own DPoP support: openid-client's
 * getDPoPHandle (its automatic use_dpop_nonce retry) and oauth4webapi's
 * DPoP() handle with the retry its documentation prescribes, on a server
 * with GATEHOUSE_DPOP_NONCE=1 — code grant, refresh, client credentials,
 * userinfo and a Baidu call, all with DPoP.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { authorize, Browser } from '../helpers/browserless-flow.js';
import { startServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'https://app.example.com/cb';
const insecure = { [oauth.allowInsecureRequests]: true };

describe('DPoP with openid-client and oauth4webapi (nonces on)', () => {
  let server: TestServer;
  let confidential: { clientId: string; clientSecret: string };
  let publicId: string;
  let person: { username: string; password: string; uid: string };

  before(async () => {
    server = await startServer({ env: { GATEHOUSE_DPOP_NONCE: '1' } });
    const made = await server.createApp({ redirectUris: [REDIRECT], scopes: ['basic', 'email', 'openid', 'offline_access'] });
    confidential = { clientId: made.clientId, clientSecret: made.clientSecret! };
    publicId = (await server.createApp({ redirectUris: [REDIRECT], scopes: ['basic'], isPublic: true })).clientId;
    person = await server.createUser();
  });
  after(() => server.close());

  async function callback(url: URL): Promise<URL> {
    const final = await authorize(new Browser(server.url), Object.fromEntries(url.searchParams), person);
    assert.equal(final.status, 302, final.body.slice(0, 300));
    return new URL(final.location!);
  }

  test('openid-client: code grant, userinfo, refresh and a Baidu call through getDPoPHandle, nonce retries included', async () => {
    const config = await client.discovery(new URL(server.url), confidential.clientId, undefined, client.ClientSecretPost(confidential.clientSecret), {
      execute: [client.allowInsecureRequests],
    });
    assert.deepEqual(config.serverMetadata().dpop_signing_alg_values_supported, ['ES256', 'EdDSA', 'RS256', 'PS256']);
    const DPoP = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid basic offline_access',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    // The first token request has no nonce: Gatehouse answers use_dpop_nonce, openid-client retries with it.
    const tokens = await client.authorizationCodeGrant(config, await callback(url), { pkceCodeVerifier: verifier, expectedState: state }, undefined, { DPoP });
    assert.equal(tokens.token_type, 'dpop');
    assert.equal(tokens.claims()?.sub, person.uid);

    const info = await client.fetchUserInfo(config, tokens.access_token, person.uid, { DPoP });
    assert.equal(info.sub, person.uid);

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!, undefined, { DPoP });
    assert.equal(refreshed.token_type, 'dpop');
    const me = await client.fetchProtectedResource(config, refreshed.access_token, new URL(`${server.url}/rest/2.0/passport/users/getLoggedInUser`), 'GET', undefined, undefined, { DPoP });
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { uid: string }).uid, person.uid);

    // The same bound token without DPoP: refused, and openid-client sees the DPoP challenge.
    await assert.rejects(client.fetchUserInfo(config, refreshed.access_token, person.uid), (error: unknown) => {
      assert.ok(error instanceof client.WWWAuthenticateChallengeError, String(error));
      assert.equal(error.cause[0]?.scheme, 'dpop');
      assert.equal(error.cause[0]?.parameters.error, 'invalid_token');
      return true;
    });
  });

  test("openid-client, public app: the refresh token is bound; another handle's key is refused with invalid_grant", async () => {
    const config = await client.discovery(new URL(server.url), publicId, undefined, client.None(), { execute: [client.allowInsecureRequests] });
    const DPoP = client.getDPoPHandle(config, await client.randomDPoPKeyPair('EdDSA'));
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'basic', code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const tokens = await client.authorizationCodeGrant(config, await callback(url), { pkceCodeVerifier: verifier, idTokenExpected: false }, undefined, { DPoP });
    assert.equal(tokens.token_type, 'dpop');
    const thief = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));
    await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token!, undefined, { DPoP: thief }), (error: unknown) => {
      assert.ok(error instanceof client.ResponseBodyError, String(error));
      assert.equal(error.error, 'invalid_grant');
      return true;
    });
    await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token!), (error: unknown) => {
      assert.ok(error instanceof client.ResponseBodyError, String(error));
      assert.equal(error.error, 'invalid_dpop_proof');
      return true;
    });
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!, undefined, { DPoP });
    assert.equal(refreshed.token_type, 'dpop');
  });

  test('oauth4webapi: client credentials and the code grant with DPoP(), retrying on use_dpop_nonce as its docs say; userinfo with DPoP', async () => {
    const issuer = new URL(server.url);
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }));
    const c: oauth.Client = { client_id: confidential.clientId };
    const auth = oauth.ClientSecretBasic(confidential.clientSecret);
    const DPoP = oauth.DPoP(c, await oauth.generateKeyPair('ES256'));

    /** oauth4webapi's documented pattern: one retry when the server asks for a nonce. */
    async function withNonceRetry<T>(attempt: () => Promise<T>): Promise<T> {
      try {
        return await attempt();
      } catch (error) {
        if (!oauth.isDPoPNonceError(error)) throw error;
        return attempt();
      }
    }

    const cc = await withNonceRetry(async () => oauth.processClientCredentialsResponse(as, c, await oauth.clientCredentialsGrantRequest(as, c, auth, new URLSearchParams({ scope: 'basic' }), { DPoP, ...insecure })));
    assert.equal(cc.token_type, 'dpop');

    const verifier = oauth.generateRandomCodeVerifier();
    const url = new URL(as.authorization_endpoint!);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: c.client_id,
      redirect_uri: REDIRECT,
      scope: 'openid basic',
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    }).toString();
    const params = oauth.validateAuthResponse(as, c, await callback(url));
    const tokens = await withNonceRetry(async () =>
      oauth.processAuthorizationCodeResponse(as, c, await oauth.authorizationCodeGrantRequest(as, c, auth, params, REDIRECT, verifier, { DPoP, ...insecure })),
    );
    assert.equal(tokens.token_type, 'dpop');
    const sub = oauth.getValidatedIdTokenClaims(tokens)!.sub;
    const info = await withNonceRetry(async () => oauth.processUserInfoResponse(as, c, sub, await oauth.userInfoRequest(as, c, tokens.access_token, { DPoP, ...insecure })));
    assert.equal(info.sub, person.uid);
  });
});
