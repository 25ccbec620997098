/**
 * Two of issue 13's client-library tests: jose's createRemoteJWKSet across a
 * key rotation (a token signed before and one signed after verify through the
 * same key set, which refetches on the unknown kid), and RP-initiated logout
 * driven by openid-client's buildEndSessionUrl.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { authorize, Browser } from '../helpers/browserless-flow.js';
import { startServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'https://app.example.com/cb';
const BYE = 'https://app.example.com/bye';

describe('OpenID client libraries across a rotation and a logout', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  it('jose createRemoteJWKSet verifies tokens signed before and after a rotation with the same key set', async () => {
    const { signer, keys } = server.instance;
    const claims = () => ({ iss: server.url, sub: 'u1', aud: 'rp', exp: Math.floor(Date.now() / 1000) + 300 });
    // cooldownDuration 0: refetch as soon as an unknown kid shows up (jose waits 30 s by default).
    const jwks = createRemoteJWKSet(new URL(`${server.url}/oauth/2.0/jwks`), { cooldownDuration: 0 });
    const before = await signer.sign(claims(), { alg: 'RS256' });
    const oldKid = decodeProtectedHeader(before).kid;
    assert.equal((await jwtVerify(before, jwks, { issuer: server.url })).protectedHeader.kid, oldKid);

    const [made] = await keys.rotate({ alg: 'RS256', activateNow: true });
    assert.equal(made!.state, 'current');
    // The instance picks the rotation up within 5 s (SPEC §7); poll, bounded.
    let afterRotation = await signer.sign(claims(), { alg: 'RS256' });
    for (let i = 0; i < 60 && decodeProtectedHeader(afterRotation).kid !== made!.kid; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      afterRotation = await signer.sign(claims(), { alg: 'RS256' });
    }
    assert.equal(decodeProtectedHeader(afterRotation).kid, made!.kid);
    assert.equal((await jwtVerify(afterRotation, jwks, { issuer: server.url })).protectedHeader.kid, made!.kid);
    // The old key is `previous`: still published, so what it signed still verifies.
    assert.equal((await jwtVerify(before, jwks, { issuer: server.url })).protectedHeader.kid, oldKid);
    assert.deepEqual((await keys.list()).filter((key) => key.alg === 'RS256').map((key) => [key.kid, key.state]).sort(), [[made!.kid, 'current'], [oldKid, 'previous']].sort());
  });

  it("openid-client's buildEndSessionUrl: the person confirms, the session ends, the browser goes to the registered URI with state", async () => {
    const user = await server.createUser();
    const made = await server.createApp({ redirectUris: [REDIRECT], scopes: ['basic', 'openid'], postLogoutRedirectUris: [BYE] });
    const config = await client.discovery(new URL(server.url), made.clientId, made.clientSecret, client.ClientSecretBasic(made.clientSecret!), { execute: [client.allowInsecureRequests] });
    assert.equal(config.serverMetadata().end_session_endpoint, `${server.url}/oauth/2.0/logout`);

    const browser = new Browser(server.url);
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid', nonce });
    const back = await authorize(browser, Object.fromEntries(url.searchParams), user);
    assert.equal(back.status, 302);
    const tokens = await client.authorizationCodeGrant(config, new URL(back.location!), { expectedNonce: nonce, idTokenExpected: true });

    const endSession = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: BYE, state: 'bye-1' });
    const confirm = await browser.request(`${endSession.pathname}${endSession.search}`);
    assert.equal(confirm.status, 200);
    assert.match(confirm.body, /name="decision" value="logout"/);
    const done = await browser.submit(confirm, { decision: 'logout' });
    assert.equal(done.status, 303);
    assert.equal(done.location, `${BYE}?state=bye-1`);

    // Signed out: the next authorize asks for the password again.
    const again = await browser.request(`/oauth/2.0/authorize?${url.searchParams}`);
    assert.equal(again.status, 200);
    assert.match(again.body, /name="password"/);
  });
});
