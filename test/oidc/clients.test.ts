/**
 * SPEC §7 through real OpenID clients, with their own strict id_token checks:
 * openid-client v6 (discovery, code + PKCE + nonce + max_age, userinfo,
 * refresh with an id_token) and oauth4webapi (expectedNonce, requireIdToken,
 * processUserInfoResponse).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { createAccount } from '../../src/core/accounts.js';
import { authorize, Browser } from '../helpers/browserless-flow.js';
import { startServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'https://app.example.com/cb';
const PASSWORD = 'correct horse battery';
const SCOPES = ['basic', 'email', 'openid', 'profile', 'offline_access'];

describe('real OpenID clients against Gatehouse', () => {
  let server: TestServer;
  let person: { uid: string; username: string; password: string };
  let clientId: string;
  let clientSecret: string;

  before(async () => {
    server = await startServer();
    const user = await createAccount(server.instance.services.stores.users, `rp_${process.pid}`, PASSWORD, Date.now(), { email: 'grace@example.com', name: 'Grace Hopper', emailVerified: true });
    person = { uid: user.uid, username: user.username, password: PASSWORD };
    const made = await server.createApp({ redirectUris: [REDIRECT], scopes: SCOPES });
    clientId = made.clientId;
    clientSecret = made.clientSecret!;
  });
  after(() => server.close());

  describe('openid-client v6', () => {
    let config: client.Configuration;
    before(async () => {
      config = await client.discovery(new URL(server.url), clientId, clientSecret, client.ClientSecretBasic(clientSecret), { execute: [client.allowInsecureRequests] });
    });

    it('discovers /.well-known/openid-configuration', () => {
      const metadata = config.serverMetadata();
      assert.equal(metadata.issuer, server.url);
      assert.equal(metadata.userinfo_endpoint, `${server.url}/oauth/2.0/userinfo`);
      assert.equal(metadata.jwks_uri, `${server.url}/oauth/2.0/jwks`);
      assert.ok(metadata.supportsPKCE());
    });

    it('code + PKCE with nonce and max_age: strict id_token validation, fetchUserInfo, refresh with an id_token', async () => {
      const verifier = client.randomPKCECodeVerifier();
      const nonce = client.randomNonce();
      const state = client.randomState();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT,
        scope: 'openid profile email offline_access',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        nonce,
        state,
        max_age: '300',
      });
      const final = await authorize(new Browser(server.url), Object.fromEntries(url.searchParams), person);
      assert.equal(final.status, 302);
      const tokens = await client.authorizationCodeGrant(config, new URL(final.location!), {
        pkceCodeVerifier: verifier,
        expectedNonce: nonce,
        expectedState: state,
        maxAge: 300,
        idTokenExpected: true,
      });
      const claims = tokens.claims()!;
      assert.equal(claims.iss, server.url);
      assert.equal(claims.sub, person.uid);
      assert.equal(claims.aud, clientId);
      assert.equal(claims.nonce, nonce);
      assert.equal(typeof claims.auth_time, 'number');
      assert.ok(tokens.refresh_token);

      const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
      assert.equal(info.sub, person.uid);
      assert.equal(info.name, 'Grace Hopper');
      assert.equal(info.preferred_username, person.username);
      assert.equal(info.email, 'grace@example.com');
      assert.equal(info.email_verified, true);
      assert.ok(info.picture?.startsWith(`${server.url}/`));

      const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
      const renewed = refreshed.claims()!;
      assert.equal(renewed.sub, claims.sub);
      assert.equal(renewed.auth_time, claims.auth_time);
      assert.equal(renewed['sid'], claims['sid']);
      assert.notEqual(refreshed.access_token, tokens.access_token);
    });

    it('an ES256 app: openid-client validates its id_token as it validates RS256', async () => {
      const es = await server.createApp({ redirectUris: [REDIRECT], scopes: SCOPES, idTokenAlg: 'ES256' });
      const esConfig = await client.discovery(new URL(server.url), es.clientId, { id_token_signed_response_alg: 'ES256' }, client.ClientSecretPost(es.clientSecret!), {
        execute: [client.allowInsecureRequests],
      });
      const verifier = client.randomPKCECodeVerifier();
      const nonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(esConfig, { redirect_uri: REDIRECT, scope: 'openid', nonce, code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
      const final = await authorize(new Browser(server.url), Object.fromEntries(url.searchParams), person);
      const tokens = await client.authorizationCodeGrant(esConfig, new URL(final.location!), { pkceCodeVerifier: verifier, expectedNonce: nonce, idTokenExpected: true });
      assert.equal(tokens.claims()!.sub, person.uid);
    });
  });

  describe('oauth4webapi', () => {
    const insecure = { [oauth.allowInsecureRequests]: true };
    let as: oauth.AuthorizationServer;
    let rp: oauth.Client;
    let auth: oauth.ClientAuth;
    before(async () => {
      const issuer = new URL(server.url);
      as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }));
      rp = { client_id: clientId };
      auth = oauth.ClientSecretBasic(clientSecret);
    });

    it('processAuthorizationCodeResponse with expectedNonce and requireIdToken, then processUserInfoResponse', async () => {
      const verifier = oauth.generateRandomCodeVerifier();
      const nonce = oauth.generateRandomNonce();
      const state = oauth.generateRandomState();
      const params = {
        response_type: 'code',
        client_id: clientId,
        redirect_uri: REDIRECT,
        scope: 'openid email',
        state,
        nonce,
        code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      };
      const final = await authorize(new Browser(server.url), params, person);
      const callback = oauth.validateAuthResponse(as, rp, new URL(final.location!), state);
      const response = await oauth.authorizationCodeGrantRequest(as, rp, auth, callback, REDIRECT, verifier, insecure);
      const tokens = await oauth.processAuthorizationCodeResponse(as, rp, response, { expectedNonce: nonce, requireIdToken: true });
      const claims = oauth.getValidatedIdTokenClaims(tokens)!;
      assert.equal(claims.sub, person.uid);
      assert.equal(claims.nonce, nonce);
      // No offline_access: no refresh token for an OpenID request (OIDC Core §11).
      assert.equal(tokens.refresh_token, undefined);

      const info = await oauth.processUserInfoResponse(as, rp, claims.sub, await oauth.userInfoRequest(as, rp, tokens.access_token, insecure));
      assert.deepEqual(info, { sub: person.uid, email: 'grace@example.com', email_verified: true });
    });

    it('a nonce that differs from the one sent is caught by the client (the server echoes exactly what it got)', async () => {
      const verifier = oauth.generateRandomCodeVerifier();
      const state = oauth.generateRandomState();
      const params = { response_type: 'code', client_id: clientId, redirect_uri: REDIRECT, scope: 'openid', state, nonce: 'sent', code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' };
      const final = await authorize(new Browser(server.url), params, person);
      const callback = oauth.validateAuthResponse(as, rp, new URL(final.location!), state);
      const response = await oauth.authorizationCodeGrantRequest(as, rp, auth, callback, REDIRECT, verifier, insecure);
      await assert.rejects(oauth.processAuthorizationCodeResponse(as, rp, response, { expectedNonce: 'other', requireIdToken: true }), /nonce/);
    });
  });
});
