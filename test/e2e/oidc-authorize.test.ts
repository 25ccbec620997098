/**
 * The authorize side of OpenID Connect through real clients, with their
 * RFC 9207 checks on (discovery says authorization_response_iss_parameter_supported):
 * openid-client v6 on the code flow and on response_type=id_token by
 * form_post, oauth4webapi on `id_token token` by form_post and on the code flow.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { authorize, Browser, decodeEntities, type PageResponse } from '../helpers/browserless-flow.js';
import { startServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'https://app.example.com/cb';

/** The form_post page as the Request the app's callback would receive. */
function formPostRequest(page: PageResponse): Request {
  assert.equal(page.status, 200, page.body.slice(0, 300));
  const form = /<form method="post" action="([^"]*)" data-auto-submit="true">([\s\S]*?)<\/form>/.exec(page.body);
  assert.ok(form, page.body.slice(0, 500));
  const body = new URLSearchParams();
  for (const input of form[2]!.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)"\/>/g)) body.append(decodeEntities(input[1]!), decodeEntities(input[2]!));
  return new Request(decodeEntities(form[1]!), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
}

describe('real clients on the authorize side of OpenID Connect', () => {
  let server: TestServer;
  let person: { uid: string; username: string; password: string };
  let clientId: string;
  let clientSecret: string;

  before(async () => {
    server = await startServer();
    person = await server.createUser();
    const made = await server.createApp({ redirectUris: [REDIRECT], scopes: ['basic', 'openid', 'profile'] });
    clientId = made.clientId;
    clientSecret = made.clientSecret!;
  });
  after(() => server.close());

  describe('openid-client v6', () => {
    let config: client.Configuration;
    before(async () => {
      config = await client.discovery(new URL(server.url), clientId, clientSecret, client.ClientSecretPost(clientSecret), { execute: [client.allowInsecureRequests] });
    });

    it('discovery turns the RFC 9207 check on', () => {
      assert.equal(config.serverMetadata().authorization_response_iss_parameter_supported, true);
    });

    it('code flow: the response passes its iss check; the same response with another iss or none is refused', async () => {
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid profile', code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state, nonce });
      const final = await authorize(new Browser(server.url), Object.fromEntries(url.searchParams), person);
      const callback = new URL(final.location!);
      assert.equal(callback.searchParams.get('iss'), server.url);

      for (const [what, change] of [
        ['another iss', (u: URL) => u.searchParams.set('iss', 'https://evil.example.net')],
        ['no iss', (u: URL) => u.searchParams.delete('iss')],
      ] as const) {
        const tampered = new URL(callback);
        change(tampered);
        await assert.rejects(
          client.authorizationCodeGrant(config, tampered, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce }),
          (error: Error) => /"iss" \(issuer\)|"iss" response parameter/.test(`${error.message} ${(error.cause as Error | undefined)?.message ?? ''}`),
          what,
        );
      }
      const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
      assert.equal(tokens.claims()?.nonce, nonce);
      assert.equal(tokens.claims()?.sub, person.uid);
    });

    it('response_type=id_token by form_post: implicitAuthentication validates the posted id_token, nonce and state', async () => {
      const implicit = await client.discovery(new URL(server.url), clientId, undefined, client.None(), { execute: [client.allowInsecureRequests, client.useIdTokenResponseType] });
      const nonce = client.randomNonce();
      const state = client.randomState();
      const url = client.buildAuthorizationUrl(implicit, { redirect_uri: REDIRECT, scope: 'openid profile', nonce, state, response_mode: 'form_post' });
      assert.equal(url.searchParams.get('response_type'), 'id_token');
      const page = await authorize(new Browser(server.url), Object.fromEntries(url.searchParams), person);
      const claims = await client.implicitAuthentication(implicit, formPostRequest(page), nonce, { expectedState: state });
      assert.equal(claims.iss, server.url);
      assert.equal(claims.aud, clientId);
      assert.equal(claims.sub, person.uid);
      assert.equal(claims.nonce, nonce);
      assert.equal(claims['preferred_username'], person.username);
    });
  });

  describe('oauth4webapi', () => {
    let as: oauth.AuthorizationServer;
    const c = () => ({ client_id: clientId }) satisfies oauth.Client;
    const insecure = { [oauth.allowInsecureRequests]: true };

    before(async () => {
      const issuer = new URL(server.url);
      as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }));
      assert.equal(as.authorization_response_iss_parameter_supported, true);
    });

    it('"id_token token" by form_post: iss and state checked, the id_token verified against the JWKS, at_hash of the access token', async () => {
      const nonce = oauth.generateRandomNonce();
      const state = oauth.generateRandomState();
      const params = { client_id: clientId, redirect_uri: REDIRECT, response_type: 'id_token token', response_mode: 'form_post', scope: 'openid profile', nonce, state };
      const page = await authorize(new Browser(server.url), params, person);
      // What the app's callback reads from the posted body.
      const parameters = new URLSearchParams(await formPostRequest(page).text());

      // oauth4webapi leaves implicit responses to the app: its iss and state checks on what remains without the id_token.
      const rest = new URLSearchParams(parameters);
      rest.delete('id_token');
      oauth.validateAuthResponse(as, c(), rest, state);
      const wrongIss = new URLSearchParams(rest);
      wrongIss.set('iss', 'https://evil.example.net');
      assert.throws(() => oauth.validateAuthResponse(as, c(), wrongIss, state), /unexpected "iss"/);

      // The id_token through its strict claim checks (iss, aud, exp, iat, nonce) and signature.
      const response = new Response(JSON.stringify({ access_token: parameters.get('access_token'), token_type: 'bearer', id_token: parameters.get('id_token') }), { headers: { 'content-type': 'application/json' } });
      const result = await oauth.processAuthorizationCodeResponse(as, c(), response, { expectedNonce: nonce, requireIdToken: true });
      await oauth.validateApplicationLevelSignature(as, response, insecure);
      const claims = oauth.getValidatedIdTokenClaims(result)!;
      assert.equal(claims.nonce, nonce);
      assert.equal(claims.sub, person.uid);
      const atHash = createHash('sha256').update(parameters.get('access_token')!).digest().subarray(0, 16).toString('base64url');
      assert.equal(claims['at_hash'], atHash);
    });

    it('code flow: validateAuthResponse passes the real iss and refuses a missing one', async () => {
      const state = oauth.generateRandomState();
      const final = await authorize(new Browser(server.url), { client_id: clientId, redirect_uri: REDIRECT, response_type: 'code', scope: 'openid', state }, person);
      const callback = new URL(final.location!);
      const checked = oauth.validateAuthResponse(as, c(), callback, state);
      assert.ok(checked.get('code'));
      const without = new URL(callback);
      without.searchParams.delete('iss');
      assert.throws(() => oauth.validateAuthResponse(as, c(), without, state), /"iss" \(issuer\) missing/);
    });

    it('an error by form post passes the iss check and surfaces as an AuthorizationResponseError', async () => {
      const state = oauth.generateRandomState();
      const page = await new Browser(server.url).request(`/oauth/2.0/authorize?${new URLSearchParams({ client_id: clientId, redirect_uri: REDIRECT, response_type: 'code', response_mode: 'form_post', prompt: 'none', state })}`);
      const parameters = new URLSearchParams(await formPostRequest(page).text());
      assert.throws(() => oauth.validateAuthResponse(as, c(), parameters, state), (error: unknown) => error instanceof oauth.AuthorizationResponseError && error.error === 'login_required');
    });
  });
});
