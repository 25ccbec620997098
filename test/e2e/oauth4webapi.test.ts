import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oauth from 'oauth4webapi';
import { visitDevicePage } from '../device/helpers.js';
import { authorize, Browser } from '../helpers/browserless-flow.js';
import { startServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'https://app.example.com/cb';
const insecure = { [oauth.allowInsecureRequests]: true };

/**
 * oauth4webapi (panva), the strict low-level client under openid-client, with
 * discovery from Gatehouse's own RFC 8414 metadata: every response must pass
 * its validation as is.
 */
describe('oauth4webapi against Gatehouse', () => {
  let server: TestServer;
  let as: oauth.AuthorizationServer;
  let client: oauth.Client;
  let auth: oauth.ClientAuth;
  let person: { username: string; password: string };

  before(async () => {
    server = await startServer({ env: { GATEHOUSE_DEVICE_POLL_INTERVAL: '1' } });
    const made = await server.createApp({ redirectUris: [REDIRECT], scopes: ['basic', 'email'] });
    client = { client_id: made.clientId };
    auth = oauth.ClientSecretBasic(made.clientSecret!);
    person = await server.createUser();
    const issuer = new URL(server.url);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
  });
  after(() => server.close());

  test('discovers the metadata of SPEC §1', () => {
    assert.equal(as.issuer, server.url);
    assert.equal(as.token_endpoint, `${server.url}/oauth/2.0/token`);
    assert.deepEqual(as.code_challenge_methods_supported, ['S256', 'plain']);
    assert.ok(as.grant_types_supported?.includes('urn:ietf:params:oauth:grant-type:device_code'));
  });

  test('code flow with PKCE, then refresh, then introspection of the new token', async () => {
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const url = new URL(as.authorization_endpoint!);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: REDIRECT,
      scope: 'basic email',
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    }).toString();
    const final = await authorize(new Browser(server.url), Object.fromEntries(url.searchParams), person);
    const callback = oauth.validateAuthResponse(as, client, new URL(final.location!), state);
    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await oauth.authorizationCodeGrantRequest(as, client, auth, callback, REDIRECT, verifier, insecure),
    );
    assert.equal(tokens.token_type, 'bearer');
    assert.equal(tokens.scope, 'basic email');
    assert.ok(tokens.refresh_token);

    const refreshed = await oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, auth, tokens.refresh_token, insecure));
    assert.notEqual(refreshed.access_token, tokens.access_token);

    const info = await oauth.processIntrospectionResponse(as, client, await oauth.introspectionRequest(as, client, auth, refreshed.access_token, insecure));
    assert.equal(info.active, true);
    assert.equal(info.client_id, client.client_id);
    assert.equal(info.username, person.username);
  });

  test('an authorization error comes back through validateAuthResponse as AuthorizationResponseError', async () => {
    const response = await fetch(`${as.authorization_endpoint}?response_type=code&client_id=${client.client_id}&redirect_uri=${encodeURIComponent(REDIRECT)}&scope=nope&state=s1`, { redirect: 'manual' });
    assert.throws(
      () => oauth.validateAuthResponse(as, client, new URL(response.headers.get('location')!), 's1'),
      (error: unknown) => error instanceof oauth.AuthorizationResponseError && error.error === 'invalid_scope',
    );
  });

  test('client credentials', async () => {
    const tokens = await oauth.processClientCredentialsResponse(as, client, await oauth.clientCredentialsGrantRequest(as, client, auth, { scope: 'basic' }, insecure));
    assert.equal(tokens.scope, 'basic');
    assert.equal(tokens.refresh_token, undefined);
  });

  test('device flow: pending, then approved on the verification page, then tokens', async () => {
    const device = await oauth.processDeviceAuthorizationResponse(as, client, await oauth.deviceAuthorizationRequest(as, client, auth, { scope: 'basic' }, insecure));
    assert.match(device.user_code, /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    assert.equal(device.interval, 1);
    const poll = async () => oauth.processDeviceCodeResponse(as, client, await oauth.deviceCodeGrantRequest(as, client, auth, device.device_code, insecure));
    await assert.rejects(poll(), (error: unknown) => error instanceof oauth.ResponseBodyError && error.error === 'authorization_pending');
    const page = await visitDevicePage(server.url, device.user_code.toLowerCase().replace('-', ''), person);
    assert.equal(page.status, 200);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const tokens = await poll();
    assert.equal(tokens.token_type, 'bearer');
    assert.ok(tokens.access_token);
  });
});
