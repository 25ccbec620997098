/**
 * PAR (RFC 9126) and JWT client authentication (RFC 7523) end to end, with
 * the real clients: oauth4webapi's pushedAuthorizationRequest and
 * PrivateKeyJwt, openid-client's buildAuthorizationUrlWithPAR, PrivateKeyJwt
 * and ClientSecretJwt — against discovery, the token, introspection and
 * revocation endpoints, with keys inline and at a jwks_uri.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT, type CryptoKey } from 'jose';
import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { authorize, Browser } from '../helpers/browserless-flow.js';
import { startServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'https://app.example.com/cb';
const insecure = { [oauth.allowInsecureRequests]: true };

describe('PAR and private_key_jwt / client_secret_jwt with oauth4webapi and openid-client', () => {
  let server: TestServer;
  let jwksServer: Server;
  let person: { username: string; password: string };
  let privateKey: CryptoKey;
  let inlineApp: string;
  let uriApp: string;
  let hsApp: { clientId: string; secret: string };

  before(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'e2e-1', alg: 'ES256', use: 'sig' };
    jwksServer = createServer((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    // The jwks_uri is on loopback: GATEHOUSE_ALLOW_PRIVATE_FETCH=1, as SPEC §9 says for tests.
    server = await startServer({ env: { GATEHOUSE_ALLOW_PRIVATE_FETCH: '1', GATEHOUSE_KEYS_SECRET: 's'.repeat(40) } });
    inlineApp = (await server.createApp({ redirectUris: [REDIRECT], scopes: ['basic', 'email'], tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [jwk] } })).clientId;
    uriApp = (
      await server.createApp({
        redirectUris: [REDIRECT],
        tokenEndpointAuthMethod: 'private_key_jwt',
        jwksUri: `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks`,
        requirePar: true,
      })
    ).clientId;
    const hs = await server.createApp({ redirectUris: [REDIRECT], tokenEndpointAuthMethod: 'client_secret_jwt' });
    hsApp = { clientId: hs.clientId, secret: hs.clientSecret! };
    person = await server.createUser();
  });
  after(async () => {
    await server.close();
    await new Promise<void>((resolve) => jwksServer.close(() => resolve()));
  });

  test('oauth4webapi: pushedAuthorizationRequest and the code grant, both with PrivateKeyJwt; then introspection and revocation', async () => {
    const issuer = new URL(server.url);
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
    assert.equal(as.pushed_authorization_request_endpoint, `${server.url}/oauth/2.0/par`);
    assert.ok(as.token_endpoint_auth_methods_supported?.includes('private_key_jwt'));
    const app: oauth.Client = { client_id: inlineApp };
    const auth = () => oauth.PrivateKeyJwt({ key: privateKey, kid: 'e2e-1' });
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const params = new URLSearchParams({
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope: 'basic email',
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const pushed = await oauth.processPushedAuthorizationResponse(as, app, await oauth.pushedAuthorizationRequest(as, app, auth(), params, insecure));
    assert.ok(!('error' in pushed));
    assert.equal(pushed.expires_in, 60);
    const final = await authorize(new Browser(server.url), { client_id: inlineApp, request_uri: pushed.request_uri }, person);
    assert.equal(final.status, 302, final.body.slice(0, 300));
    const callback = oauth.validateAuthResponse(as, app, new URL(final.location!), state);
    const tokens = await oauth.processAuthorizationCodeResponse(as, app, await oauth.authorizationCodeGrantRequest(as, app, auth(), callback, REDIRECT, verifier, insecure));
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    assert.equal(tokens.scope, 'basic email');
    const introspection = await oauth.processIntrospectionResponse(as, app, await oauth.introspectionRequest(as, app, auth(), tokens.access_token, insecure));
    assert.equal(introspection.active, true);
    assert.equal(introspection.client_id, inlineApp);
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, app, auth(), tokens.access_token, insecure));
    const after = await oauth.processIntrospectionResponse(as, app, await oauth.introspectionRequest(as, app, auth(), tokens.access_token, insecure));
    assert.equal(after.active, false);
  });

  test('openid-client: buildAuthorizationUrlWithPAR and authorizationCodeGrant with PrivateKeyJwt, keys at a jwks_uri, an app that requires PAR', async () => {
    const config = await client.discovery(new URL(server.url), uriApp, undefined, client.PrivateKeyJwt({ key: privateKey, kid: 'e2e-1' }), { execute: [client.allowInsecureRequests] });
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = await client.buildAuthorizationUrlWithPAR(config, {
      redirect_uri: REDIRECT,
      scope: 'basic',
      state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    assert.deepEqual([...url.searchParams.keys()].sort(), ['client_id', 'request_uri']);
    const final = await authorize(new Browser(server.url), Object.fromEntries(url.searchParams), person);
    assert.equal(final.status, 302, final.body.slice(0, 300));
    const tokens = await client.authorizationCodeGrant(config, new URL(final.location!), { pkceCodeVerifier: verifier, expectedState: state });
    assert.ok(tokens.access_token);
    assert.equal(tokens.scope, 'basic');
  });

  test('openid-client: client credentials with ClientSecretJwt (HS256 with the Secret Key)', async () => {
    const config = await client.discovery(new URL(server.url), hsApp.clientId, undefined, client.ClientSecretJwt(hsApp.secret), { execute: [client.allowInsecureRequests] });
    const tokens = await client.clientCredentialsGrant(config, { scope: 'basic' });
    assert.ok(tokens.access_token);
  });

  test('a bad assertion at the token, PAR, revoke and introspect endpoints: 401 invalid_client JSON, no Basic challenge', async () => {
    const none = new UnsecuredJWT({ iss: inlineApp, sub: inlineApp, aud: server.url, jti: 'none-1', exp: Math.floor(Date.now() / 1000) + 60 }).encode();
    const wrongAud = await new SignJWT({ iss: inlineApp, sub: inlineApp, aud: `${server.url}/oauth/2.0/introspect`, jti: 'aud-1', exp: Math.floor(Date.now() / 1000) + 60 })
      .setProtectedHeader({ alg: 'ES256', kid: 'e2e-1' })
      .sign(privateKey);
    for (const [path, assertion, extra] of [
      ['/oauth/2.0/token', none, { grant_type: 'client_credentials' }],
      ['/oauth/2.0/par', none, { response_type: 'code', redirect_uri: REDIRECT }],
      ['/oauth/2.0/revoke', wrongAud, { token: 'x' }],
      ['/oauth/2.0/introspect', none, { token: 'x' }],
    ] as const) {
      const response = await fetch(`${server.url}${path}`, {
        method: 'POST',
        body: new URLSearchParams({ client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion, ...extra }),
      });
      assert.equal(response.status, 401, path);
      assert.equal(response.headers.get('www-authenticate'), null, path);
      assert.equal(response.headers.get('cache-control'), 'no-store', path);
      const body = (await response.json()) as Record<string, string>;
      assert.equal(body['error'], 'invalid_client', path);
      assert.equal(body['error_uri'], `${server.url}/oauth/2.0/errors/invalid_client`, path);
    }
  });

  test('an app held to private_key_jwt is refused its Secret Key at the token endpoint: 401 invalid_client', async () => {
    const made = await server.createApp({ tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [{ ...(await exportJWK((await generateKeyPair('ES256')).publicKey)), kid: 'x' }] } });
    const response = await fetch(`${server.url}/oauth/2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: made.clientId, client_secret: made.clientSecret! }),
    });
    assert.equal(response.status, 401);
    assert.equal(((await response.json()) as { error: string }).error, 'invalid_client');
  });
});
