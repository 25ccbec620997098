/**
 * Resource indicators (RFC 8707, SPEC §8): `resource` at authorize, at every
 * grant and at the device endpoint; the access token's `aud`; narrowing on a
 * refresh while the refresh token keeps all it was granted; the app's
 * allow-list; invalid_target (400 at the token endpoint, a redirect at authorize).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { authorize, Browser, redirectParams, type TokenJson } from '../helpers/browserless-flow.js';
import { basic, startResourceFixture, type Client, type ResourceFixture } from './fixture.js';

const API = 'https://api.example.com/';
const PHOTOS = 'urn:example:photos';

describe('resource indicators (RFC 8707)', () => {
  let f: ResourceFixture;
  let open: Client;
  let listed: Client;

  const introspect = async (token: string) => (await f.post('/oauth/2.0/introspect', { token }, basic(f.rs.clientId, f.rs.clientSecret))).json() as Record<string, unknown>;
  const tokenRequest = (client: Client, form: [string, string][], path = '/oauth/2.0/token') =>
    fetch(new URL(path, f.server.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client.clientId, client.clientSecret) },
      body: new URLSearchParams(form),
    });
  /** The authorize request (repeated `resource` kept), run to its redirect. */
  const authorizeWith = (client: Client, extra: [string, string][], responseType = 'code') => {
    const params = new URLSearchParams([['response_type', responseType], ['client_id', client.clientId], ['redirect_uri', client.redirectUri], ['state', 's1'], ...extra]);
    return authorize(new Browser(f.server.url), params as unknown as Record<string, string>, f.person);
  };
  const codeFor = async (client: Client, extra: [string, string][]) => {
    const final = await authorizeWith(client, extra);
    assert.equal(final.status, 302, final.body.slice(0, 300));
    return redirectParams(final.location!).get('code')!;
  };
  const redeem = (client: Client, code: string, extra: [string, string][] = []) =>
    tokenRequest(client, [['grant_type', 'authorization_code'], ['code', code], ['redirect_uri', client.redirectUri], ...extra]);
  const assertInvalidTarget = async (response: Response, description: string) => {
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.deepEqual(await response.json(), f.errorBody('invalid_target', description));
  };

  before(async () => {
    f = await startResourceFixture();
    const make = async (rootDomain: string, resources?: string[]): Promise<Client> => {
      const redirectUri = `https://app.${rootDomain}/cb`;
      const made = await f.server.createApp({ rootDomain, redirectUris: [redirectUri], scopes: ['basic'], ...(resources ? { resources } : {}) });
      return { clientId: made.clientId, clientSecret: made.clientSecret!, redirectUri };
    };
    open = await make('open-resources.com');
    listed = await make('listed-resources.com', [API, PHOTOS]);
  });
  after(() => f.server.close());

  test('a token without resource keeps the client_id as its aud (nothing changes for Baidu clients)', async () => {
    const response = await redeem(open, await codeFor(open, []));
    const tokens = (await response.json()) as TokenJson;
    assert.equal((await introspect(tokens.access_token))['aud'], open.clientId);
    assert.equal((await introspect(tokens.refresh_token!))['aud'], open.clientId);
  });

  test('resources named at authorize become the aud of both tokens; one resource is a string, two an array', async () => {
    const tokens = (await (await redeem(listed, await codeFor(listed, [['resource', API], ['resource', PHOTOS]]))).json()) as TokenJson;
    assert.deepEqual((await introspect(tokens.access_token))['aud'], [API, PHOTOS]);
    assert.deepEqual((await introspect(tokens.refresh_token!))['aud'], [API, PHOTOS]);
    const single = (await (await redeem(listed, await codeFor(listed, [['resource', API]]))).json()) as TokenJson;
    assert.equal((await introspect(single.access_token))['aud'], API);
  });

  test('the code exchange may narrow the access token; the refresh token keeps every granted resource (RFC 8707 §2.2)', async () => {
    const response = await redeem(listed, await codeFor(listed, [['resource', API], ['resource', PHOTOS]]), [['resource', PHOTOS]]);
    assert.equal(response.status, 200);
    const tokens = (await response.json()) as TokenJson;
    assert.equal((await introspect(tokens.access_token))['aud'], PHOTOS);
    assert.deepEqual((await introspect(tokens.refresh_token!))['aud'], [API, PHOTOS]);
  });

  test('a refresh narrows the new access token, and the new refresh token still holds all it was granted', async () => {
    const first = (await (await redeem(listed, await codeFor(listed, [['resource', API], ['resource', PHOTOS]]))).json()) as TokenJson;
    const narrowed = await tokenRequest(listed, [['grant_type', 'refresh_token'], ['refresh_token', first.refresh_token!], ['resource', API]]);
    assert.equal(narrowed.status, 200);
    const second = (await narrowed.json()) as TokenJson;
    assert.equal((await introspect(second.access_token))['aud'], API);
    assert.deepEqual((await introspect(second.refresh_token!))['aud'], [API, PHOTOS]);
    // The next refresh may ask for the other granted resource again: the grant was never narrowed.
    const third = (await (await tokenRequest(listed, [['grant_type', 'refresh_token'], ['refresh_token', second.refresh_token!], ['resource', PHOTOS]])).json()) as TokenJson;
    assert.equal((await introspect(third.access_token))['aud'], PHOTOS);
  });

  test('a refresh asking for a resource outside the grant gets invalid_target and does not use the refresh token up', async () => {
    const first = (await (await redeem(open, await codeFor(open, [['resource', API]]))).json()) as TokenJson;
    await assertInvalidTarget(
      await tokenRequest(open, [['grant_type', 'refresh_token'], ['refresh_token', first.refresh_token!], ['resource', 'https://other.example.net/']]),
      `resource https://other.example.net/ was not granted: a token request may only narrow the resources of the grant (${API})`,
    );
    const again = await tokenRequest(open, [['grant_type', 'refresh_token'], ['refresh_token', first.refresh_token!]]);
    assert.equal(again.status, 200);
    assert.equal((await introspect(((await again.json()) as TokenJson).access_token))['aud'], API);
  });

  test('a code exchange asking for a resource outside the grant gets invalid_target, and the code stays usable', async () => {
    const code = await codeFor(open, [['resource', API]]);
    await assertInvalidTarget(
      await redeem(open, code, [['resource', PHOTOS]]),
      `resource ${PHOTOS} was not granted: a token request may only narrow the resources of the grant (${API})`,
    );
    assert.equal((await redeem(open, code)).status, 200);
  });

  test('authorize sends invalid_target back to the app (with state and iss) for a resource off the allow-list', async () => {
    const final = await authorizeWith(listed, [['resource', 'https://elsewhere.example.com/']]);
    assert.equal(final.status, 302);
    const back = redirectParams(final.location!);
    assert.equal(`${new URL(final.location!).origin}${new URL(final.location!).pathname}`, listed.redirectUri);
    assert.equal(back.get('error'), 'invalid_target');
    assert.equal(back.get('error_description'), 'resource https://elsewhere.example.com/ is not among the resources this app may ask for');
    assert.equal(back.get('error_uri'), `${f.server.url}/oauth/2.0/errors/invalid_target`);
    assert.equal(back.get('state'), 's1');
    assert.equal(back.get('iss'), f.server.url);
  });

  test('authorize refuses a resource with a fragment or a relative one with invalid_target', async () => {
    for (const [resource, problem] of [
      ['https://api.example.com/#frag', 'has a fragment'],
      ['/relative/path', 'is not an absolute URI'],
    ] as const) {
      const final = await authorizeWith(open, [['resource', resource]]);
      const back = redirectParams(final.location!);
      assert.equal(back.get('error'), 'invalid_target');
      assert.equal(back.get('error_description'), `resource ${JSON.stringify(resource)} ${problem}: send an absolute URI without a fragment`);
    }
  });

  test('the implicit grant puts the resources in the aud of its access token', async () => {
    const final = await authorizeWith(open, [['resource', API]], 'token');
    assert.equal(final.status, 302);
    const back = redirectParams(final.location!, 'fragment');
    assert.equal((await introspect(back.get('access_token')!))['aud'], API);
  });

  test('client credentials take resource too, within the allow-list', async () => {
    const ok = await tokenRequest(listed, [['grant_type', 'client_credentials'], ['resource', PHOTOS]]);
    assert.equal(ok.status, 200);
    assert.equal((await introspect(((await ok.json()) as TokenJson).access_token))['aud'], PHOTOS);
    await assertInvalidTarget(
      await tokenRequest(listed, [['grant_type', 'client_credentials'], ['resource', 'https://elsewhere.example.com/']]),
      'resource https://elsewhere.example.com/ is not among the resources this app may ask for',
    );
  });

  test('the device authorization endpoint takes resource, and refuses one off the allow-list with invalid_target', async () => {
    const ok = await tokenRequest(listed, [['resource', API], ['resource', PHOTOS]], '/oauth/2.0/device/code');
    assert.equal(ok.status, 200);
    await assertInvalidTarget(
      await tokenRequest(listed, [['resource', 'https://elsewhere.example.com/']], '/oauth/2.0/device/code'),
      'resource https://elsewhere.example.com/ is not among the resources this app may ask for',
    );
  });
});
