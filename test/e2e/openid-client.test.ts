import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as client from 'openid-client';
import { authorize, Browser } from '../helpers/browserless-flow.js';
import { startServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'https://app.example.com/cb';

/**
 * The core flows through openid-client v6, a strict RFC client, with its own
 * API. Server metadata is given by hand here so that these tests depend only on
 * the core endpoints (discovery has its own test with the metadata endpoint).
 */
describe('openid-client v6 against Gatehouse', () => {
  let server: TestServer;
  let clientId: string;
  let clientSecret: string;
  let person: { username: string; password: string; uid: string };

  before(async () => {
    server = await startServer();
    const made = await server.createApp({ redirectUris: [REDIRECT], scopes: ['basic', 'email'] });
    clientId = made.clientId;
    clientSecret = made.clientSecret!;
    person = await server.createUser();
  });
  after(() => server.close());

  function configuration(auth: client.ClientAuth): client.Configuration {
    const config = new client.Configuration(
      {
        issuer: server.url,
        authorization_endpoint: `${server.url}/oauth/2.0/authorize`,
        token_endpoint: `${server.url}/oauth/2.0/token`,
      },
      clientId,
      undefined,
      auth,
    );
    client.allowInsecureRequests(config);
    return config;
  }

  /** buildAuthorizationUrl → a person signs in and approves → the callback URL the app receives. */
  async function callbackFor(config: client.Configuration, verifier: string, state: string): Promise<URL> {
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'basic email',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const final = await authorize(new Browser(server.url), Object.fromEntries(url.searchParams), person);
    assert.equal(final.status, 302);
    return new URL(final.location!);
  }

  for (const [name, auth] of [
    ['client_secret_post', () => client.ClientSecretPost(clientSecret)],
    ['client_secret_basic', () => client.ClientSecretBasic(clientSecret)],
  ] as const) {
    test(`code flow with PKCE (S256) and ${name}, then a refresh`, async () => {
      const config = configuration(auth());
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const callback = await callbackFor(config, verifier, state);
      const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
      assert.equal(tokens.token_type, 'bearer');
      assert.equal(tokens.scope, 'basic email');
      assert.equal(tokens.expires_in, 2592000);
      assert.ok(tokens.refresh_token);

      const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
      assert.ok(refreshed.access_token);
      assert.notEqual(refreshed.access_token, tokens.access_token);
      assert.notEqual(refreshed.refresh_token, tokens.refresh_token);

      const user = await fetch(`${server.url}/rest/2.0/passport/users/getLoggedInUser`, { headers: { authorization: `Bearer ${refreshed.access_token}` } });
      assert.equal((await user.json()).uid, person.uid);
    });
  }

  test('client credentials through clientCredentialsGrant', async () => {
    const config = configuration(client.ClientSecretBasic(clientSecret));
    const tokens = await client.clientCredentialsGrant(config, { scope: 'basic' });
    assert.equal(tokens.token_type, 'bearer');
    assert.equal(tokens.scope, 'basic');
    assert.equal(tokens.refresh_token, undefined);
  });

  test('the library surfaces a server error code as ResponseBodyError (invalid_grant on a reused code)', async () => {
    const config = configuration(client.ClientSecretPost(clientSecret));
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const callback = await callbackFor(config, verifier, state);
    await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
    await assert.rejects(client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state }), (error: unknown) => {
      assert.ok(error instanceof client.ResponseBodyError);
      assert.equal(error.error, 'invalid_grant');
      assert.equal(error.status, 400);
      return true;
    });
  });

  test('a public app: code flow with PKCE and no client authentication', async () => {
    const made = await server.createApp({ redirectUris: [REDIRECT], isPublic: true });
    const config = new client.Configuration(
      { issuer: server.url, authorization_endpoint: `${server.url}/oauth/2.0/authorize`, token_endpoint: `${server.url}/oauth/2.0/token` },
      made.clientId,
      undefined,
      client.None(),
    );
    client.allowInsecureRequests(config);
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const final = await authorize(new Browser(server.url), Object.fromEntries(url.searchParams), person);
    const tokens = await client.authorizationCodeGrant(config, new URL(final.location!), { pkceCodeVerifier: verifier, expectedState: state });
    assert.ok(tokens.access_token);
  });
});
