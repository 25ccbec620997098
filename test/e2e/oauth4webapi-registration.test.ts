/**
 * oauth4webapi's dynamic registration helpers end to end (RFC 7591, SPEC §9):
 * with an initial access token, register a confidential client, run the code
 * flow with PKCE as that client, and read its registration back (RFC 7592).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oauth from 'oauth4webapi';
import { createInitialAccessToken } from '../../src/core/initial-access-tokens.js';
import { authorize, Browser, redirectParams } from '../helpers/browserless-flow.js';
import { startServer, type TestServer } from '../helpers/server.js';

const insecure = { [oauth.allowInsecureRequests]: true };
const REDIRECT = 'https://app.example.com/cb';

describe('oauth4webapi dynamic registration (GATEHOUSE_REGISTRATION=token)', () => {
  let server: TestServer;
  let as: oauth.AuthorizationServer;
  before(async () => {
    server = await startServer({ env: { GATEHOUSE_REGISTRATION: 'token' } });
    const issuer = new URL(server.url);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
  });
  after(() => server.close());

  test('registers with an initial access token, then signs a person in with the registered client', async () => {
    assert.equal(as.registration_endpoint, `${server.url}/oauth/2.0/register`);
    const { token } = await createInitialAccessToken(server.instance.services.stores.registrationTokens, { uses: 1, expiresSeconds: 60, now: Date.now() });
    const response = await oauth.dynamicClientRegistrationRequest(
      as,
      { client_name: 'oauth4webapi app', redirect_uris: [REDIRECT], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic' },
      { initialAccessToken: token, ...insecure },
    );
    const registered = await oauth.processDynamicClientRegistrationResponse(response);
    assert.equal(typeof registered.client_id, 'string');
    assert.equal(typeof registered['client_secret'], 'string');
    assert.equal(registered['client_secret_expires_at'], 0);
    assert.equal(registered['token_endpoint_auth_method'], 'client_secret_basic');

    // The token was single use: a second registration is refused as RFC 7591 §3 says.
    const again = await oauth.dynamicClientRegistrationRequest(as, { redirect_uris: [REDIRECT] }, { initialAccessToken: token, ...insecure });
    assert.equal(again.status, 401);
    assert.equal(again.headers.get('www-authenticate'), 'Bearer error="invalid_token"');

    const client: oauth.Client = { client_id: registered.client_id };
    const clientAuth = oauth.ClientSecretBasic(registered['client_secret'] as string);
    const person = await server.createUser();
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const final = await authorize(
      new Browser(server.url),
      { response_type: 'code', client_id: client.client_id, redirect_uri: REDIRECT, state, code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' },
      person,
    );
    const params = oauth.validateAuthResponse(as, client, new URL(final.location!), state);
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, await oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, REDIRECT, verifier, insecure));
    assert.equal(tokens.token_type, 'bearer');
    assert.ok(tokens.refresh_token);
    assert.equal(redirectParams(final.location!).get('state'), state);

    // RFC 7592 §2.1: the registration read back with its access token.
    const read = await fetch(registered['registration_client_uri'] as string, { headers: { authorization: `Bearer ${registered['registration_access_token'] as string}` } });
    assert.equal(read.status, 200);
    assert.equal(((await read.json()) as { client_name: string }).client_name, 'oauth4webapi app');
  });
});
