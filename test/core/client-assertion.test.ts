/**
 * JWT client authentication (RFC 7523, SPEC §8) in the core: private_key_jwt
 * with inline jwks, client_secret_jwt, the method an app is held to, and
 * every attack of the issue, each refused with invalid_client.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { UnsecuredJWT } from 'jose';
import { authenticateClient, type ClientCredentialsInput } from '../../src/core/client-auth.js';
import type { AssertionContext } from '../../src/core/client-assertion.js';
import type { App } from '../../src/core/model.js';
import { clientKeys } from '../../src/storage/client-keys/index.js';
import { createMemoryStores } from '../../src/storage/memory/index.js';
import { basic, makeApp, rejectsWith, T0 } from '../helpers/fixtures.js';
import { claims as baseClaims, form, keyPair, replayCache, seconds, sign, type KeyPair } from '../helpers/assertions.js';

const ISSUER = 'https://gatehouse.test';
const TOKEN_URL = `${ISSUER}/oauth/2.0/token`;
const KEYS_SECRET = 'k'.repeat(40);
const keys = clientKeys({ keysSecret: KEYS_SECRET });

const claims = (clientId: string, overrides: Record<string, unknown> = {}) => baseClaims(clientId, ISSUER, overrides);

describe('JWT client authentication (RFC 7523)', () => {
  let es: KeyPair;
  let rs: KeyPair;
  let other: KeyPair;
  let keyed: App;
  let hs: App;
  let hsSecret: string;
  let otherApp: App;
  let onlyPost: App;
  let stores: ReturnType<typeof createMemoryStores>;
  let context: AssertionContext;
  let jkuServer: Server;
  let jkuHits = 0;

  const input = (params: ClientCredentialsInput['params'], authorization?: string): ClientCredentialsInput => ({ authorization, params, assertion: context });

  before(async () => {
    es = await keyPair('ES256', 'es-1');
    rs = await keyPair('RS256', 'rs-1');
    other = await keyPair('ES256', 'es-1');
    stores = createMemoryStores();
    keyed = makeApp({ jwks: { keys: [es.publicJwk, rs.publicJwk] }, tokenEndpointAuthMethod: 'private_key_jwt' }).app;
    const made = makeApp();
    hsSecret = made.secret!;
    hs = { ...made.app, tokenEndpointAuthMethod: 'client_secret_jwt', sealedSecret: keys.sealSecret(made.app.clientId, hsSecret) };
    otherApp = makeApp({ jwks: { keys: [other.publicJwk] } }).app;
    onlyPost = makeApp({ tokenEndpointAuthMethod: 'client_secret_post', secret: 'post-secret' }).app;
    for (const app of [keyed, hs, otherApp, onlyPost]) await stores.apps.createApp(app);
    context = { keys, replays: replayCache(), audiences: [ISSUER, TOKEN_URL, `${ISSUER}/oauth/2.0/revoke`], now: T0 };
    jkuServer = createServer((_request, response) => {
      jkuHits++;
      response.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: [other.publicJwk] }));
    });
    await new Promise<void>((resolve) => jkuServer.listen(0, '127.0.0.1', resolve));
  });
  after(() => new Promise<void>((resolve) => jkuServer.close(() => resolve())));

  describe('accepts', () => {
    it('private_key_jwt signed ES256 by a key of the app, aud the issuer', async () => {
      const assertion = await sign(es.privateKey, 'ES256', claims(keyed.clientId), { kid: 'es-1' });
      assert.equal((await authenticateClient(stores.apps, input(form(assertion)))).clientId, keyed.clientId);
    });
    it('private_key_jwt signed RS256 without a kid, aud the token endpoint URL, with a matching client_id parameter', async () => {
      const assertion = await sign(rs.privateKey, 'RS256', claims(keyed.clientId, { aud: TOKEN_URL }));
      assert.equal((await authenticateClient(stores.apps, input(form(assertion, { client_id: keyed.clientId })))).clientId, keyed.clientId);
    });
    it('an aud array holding the URL of the endpoint it is sent to', async () => {
      const assertion = await sign(es.privateKey, 'ES256', claims(keyed.clientId, { aud: ['https://elsewhere.example', `${ISSUER}/oauth/2.0/revoke`] }));
      assert.equal((await authenticateClient(stores.apps, input(form(assertion)))).clientId, keyed.clientId);
    });
    it('client_secret_jwt: HS256 with the Secret Key', async () => {
      const assertion = await sign(new TextEncoder().encode(hsSecret), 'HS256', claims(hs.clientId));
      assert.equal((await authenticateClient(stores.apps, input(form(assertion)))).clientId, hs.clientId);
    });
  });

  describe('refuses with invalid_client', () => {
    it('alg none', async () => {
      const assertion = new UnsecuredJWT(claims(keyed.clientId)).encode();
      const error = await rejectsWith(authenticateClient(stores.apps, input(form(assertion))), 'invalid_client', /alg "none" is not accepted/);
      assert.equal(error.status, 401);
    });
    it("HS256 signed with the app's public key (key confusion), as JWK JSON and as the key's modulus", async () => {
      for (const secret of [JSON.stringify(rs.publicJwk), String(rs.publicJwk.n)]) {
        const assertion = await sign(new TextEncoder().encode(secret), 'HS256', claims(keyed.clientId), { kid: 'rs-1' });
        await rejectsWith(authenticateClient(stores.apps, input(form(assertion))), 'invalid_client', /private_key_jwt only, not client_secret_jwt/);
      }
      // An app held to no method, with keys and no sealed secret: still never an HMAC key.
      const open = makeApp({ jwks: { keys: [rs.publicJwk] } }).app;
      await stores.apps.createApp(open);
      const assertion = await sign(new TextEncoder().encode(JSON.stringify(rs.publicJwk)), 'HS256', claims(open.clientId));
      await rejectsWith(authenticateClient(stores.apps, input(form(assertion))), 'invalid_client', /cannot use client_secret_jwt/);
    });
    it('HS256 for a client_secret_jwt app, signed with anything but its Secret Key', async () => {
      const assertion = await sign(new TextEncoder().encode('not-the-secret-not-the-secret-not'), 'HS256', claims(hs.clientId));
      await rejectsWith(authenticateClient(stores.apps, input(form(assertion))), 'invalid_client', /signature does not verify/);
    });
    it('a jku, x5u or jwk header naming the attacker\'s keys: never fetched, never used', async () => {
      const jku = `http://127.0.0.1:${(jkuServer.address() as AddressInfo).port}/jwks`;
      for (const header of [{ jku, kid: 'es-1' }, { x5u: jku, kid: 'es-1' }, { jwk: other.publicJwk }]) {
        const assertion = await sign(other.privateKey, 'ES256', claims(keyed.clientId), header);
        await rejectsWith(authenticateClient(stores.apps, input(form(assertion))), 'invalid_client', /signature does not verify|not signed by a key of this app/);
      }
      assert.equal(jkuHits, 0);
    });
    it('a kid that is a path, or the kid of another app\'s key', async () => {
      for (const kid of ['../../../../dev/null', '/etc/passwd', "' OR 1=1 --", 'es-1']) {
        const assertion = await sign(other.privateKey, 'ES256', claims(keyed.clientId), { kid });
        await rejectsWith(authenticateClient(stores.apps, input(form(assertion))), 'invalid_client', /signature does not verify|not signed by a key of this app/);
      }
    });
    it('expired', async () => {
      const assertion = await sign(es.privateKey, 'ES256', claims(keyed.clientId, { exp: seconds(T0) - 1 }));
      await rejectsWith(authenticateClient(stores.apps, input(form(assertion))), 'invalid_client', /has expired/);
    });
    it('exp an hour ahead (more than 5 minutes)', async () => {
      const assertion = await sign(es.privateKey, 'ES256', claims(keyed.clientId, { exp: seconds(T0) + 3600 }));
      await rejectsWith(authenticateClient(stores.apps, input(form(assertion))), 'invalid_client', /more than 300 seconds away/);
    });
    it('wrong aud', async () => {
      for (const aud of ['https://evil.example', `${ISSUER}/oauth/2.0/introspect`, `${ISSUER}/`]) {
        const assertion = await sign(es.privateKey, 'ES256', claims(keyed.clientId, { aud }));
        await rejectsWith(authenticateClient(stores.apps, input(form(assertion))), 'invalid_client', /aud is not this server/);
      }
    });
    it('a replayed jti, however the assertion is re-sent', async () => {
      const assertion = await sign(es.privateKey, 'ES256', claims(keyed.clientId, { jti: 'once' }));
      await authenticateClient(stores.apps, input(form(assertion)));
      await rejectsWith(authenticateClient(stores.apps, input(form(assertion))), 'invalid_client', /jti was already used/);
      const again = await sign(rs.privateKey, 'RS256', claims(keyed.clientId, { jti: 'once' }));
      await rejectsWith(authenticateClient(stores.apps, input(form(again))), 'invalid_client', /jti was already used/);
    });
    it('without jti or exp', async () => {
      const noJti = await sign(es.privateKey, 'ES256', { iss: keyed.clientId, sub: keyed.clientId, aud: ISSUER, exp: seconds(T0) + 60 });
      await rejectsWith(authenticateClient(stores.apps, input(form(noJti))), 'invalid_client', /claim jti/);
      const noExp = await sign(es.privateKey, 'ES256', { iss: keyed.clientId, sub: keyed.clientId, aud: ISSUER, jti: 'x' });
      await rejectsWith(authenticateClient(stores.apps, input(form(noExp))), 'invalid_client', /claim exp/);
    });
    it('an assertion of another app: sent with this client_id, or naming this app but signed by the other\'s key', async () => {
      const theirs = await sign(other.privateKey, 'ES256', claims(otherApp.clientId));
      await rejectsWith(authenticateClient(stores.apps, input(form(theirs, { client_id: keyed.clientId }))), 'invalid_client', /differs from the client_assertion sub/);
      const forged = await sign(other.privateKey, 'ES256', claims(keyed.clientId), { kid: 'es-1' });
      await rejectsWith(authenticateClient(stores.apps, input(form(forged))), 'invalid_client', /signature does not verify/);
      const mixed = await sign(es.privateKey, 'ES256', claims(keyed.clientId, { iss: otherApp.clientId }));
      await rejectsWith(authenticateClient(stores.apps, input(form(mixed))), 'invalid_client', /iss and sub must both be the client_id/);
    });
    it('a client_assertion_type that is not jwt-bearer, and an assertion at an endpoint that takes none', async () => {
      const assertion = await sign(es.privateKey, 'ES256', claims(keyed.clientId));
      await rejectsWith(authenticateClient(stores.apps, input({ ...form(assertion), client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer' })), 'invalid_client', /must be urn:ietf/);
      await rejectsWith(authenticateClient(stores.apps, { authorization: undefined, params: form(assertion) }), 'invalid_client', /not accepted at this endpoint/);
      await rejectsWith(authenticateClient(stores.apps, input(form('not.a.jwt'))), 'invalid_client', /not a JWT/);
    });
    it('a client_secret for an app held to private_key_jwt; the assertion method for an app held to client_secret_post', async () => {
      const keyedWithSecret = makeApp({ jwks: { keys: [es.publicJwk] }, tokenEndpointAuthMethod: 'private_key_jwt', secret: 's3cret' }).app;
      await stores.apps.createApp(keyedWithSecret);
      await rejectsWith(authenticateClient(stores.apps, input({ client_id: keyedWithSecret.clientId, client_secret: 's3cret' })), 'invalid_client', /private_key_jwt only, not client_secret_post/);
      await rejectsWith(authenticateClient(stores.apps, input({ client_id: keyedWithSecret.clientId })), 'invalid_client', /missing client_assertion/);
      await rejectsWith(authenticateClient(stores.apps, input({}, basic(onlyPost.clientId, 'post-secret'))), 'invalid_client', /client_secret_post only, not client_secret_basic/);
      assert.equal((await authenticateClient(stores.apps, input({ client_id: onlyPost.clientId, client_secret: 'post-secret' }))).clientId, onlyPost.clientId);
    });
  });

  it('refuses credentials sent two ways (an assertion and a secret) with invalid_request', async () => {
    const assertion = await sign(es.privateKey, 'ES256', claims(keyed.clientId));
    await rejectsWith(authenticateClient(stores.apps, input(form(assertion), basic(keyed.clientId, 'x'))), 'invalid_request', /sent two ways/);
    await rejectsWith(authenticateClient(stores.apps, input(form(assertion, { client_secret: 'x' }))), 'invalid_request', /sent two ways/);
    await rejectsWith(authenticateClient(stores.apps, input({ client_assertion: assertion })), 'invalid_request', /needs client_assertion_type/);
  });
});
