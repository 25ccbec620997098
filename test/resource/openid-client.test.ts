import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as client from 'openid-client';
import { startResourceFixture, type Client, type ResourceFixture } from './fixture.js';

/**
 * openid-client v6, a strict RFC client, through its own API: it discovers the
 * server from the metadata alone (RFC 8414, which validates the issuer), then
 * introspects and revokes with the endpoints it found there.
 */
describe('openid-client v6: discovery, introspection and revocation', () => {
  let f: ResourceFixture;

  before(async () => {
    f = await startResourceFixture();
  });
  after(() => f.server.close());

  const discover = (app: Client, auth: client.ClientAuth) =>
    client.discovery(new URL(f.server.url), app.clientId, undefined, auth, { execute: [client.allowInsecureRequests], algorithm: 'oauth2' });

  test('discovers every endpoint from /.well-known/oauth-authorization-server', async () => {
    const config = await discover(f.own, client.ClientSecretBasic(f.own.clientSecret));
    const metadata = config.serverMetadata();
    assert.equal(metadata.issuer, f.server.url);
    assert.equal(metadata.token_endpoint, `${f.server.url}/oauth/2.0/token`);
    assert.equal(metadata.introspection_endpoint, `${f.server.url}/oauth/2.0/introspect`);
    assert.equal(metadata.revocation_endpoint, `${f.server.url}/oauth/2.0/revoke`);
    assert.equal(metadata.device_authorization_endpoint, `${f.server.url}/oauth/2.0/device/code`);
    assert.equal(metadata.supportsPKCE(), true);
  });

  for (const [name, auth] of [
    ['client_secret_basic', (secret: string) => client.ClientSecretBasic(secret)],
    ['client_secret_post', (secret: string) => client.ClientSecretPost(secret)],
  ] as const) {
    test(`introspects and revokes its own token (${name})`, async () => {
      const config = await discover(f.own, auth(f.own.clientSecret));
      const tokens = await f.codeTokens(f.own);
      const live = await client.tokenIntrospection(config, tokens.access_token);
      assert.equal(live.active, true);
      assert.equal(live.client_id, f.own.clientId);
      assert.equal(live.sub, f.person.uid);
      assert.equal(live.username, f.person.username);
      assert.equal(live.token_type, 'Bearer');
      assert.equal(live.scope, 'basic');
      assert.equal(live.iss, f.server.url);

      await client.tokenRevocation(config, tokens.refresh_token!, { token_type_hint: 'refresh_token' });
      assert.deepEqual({ ...(await client.tokenIntrospection(config, tokens.access_token)) }, { active: false });
      assert.deepEqual({ ...(await client.tokenIntrospection(config, tokens.refresh_token!)) }, { active: false });
    });
  }

  test("a resource server introspects another app's token; that app's revocation of a foreign token changes nothing", async () => {
    const rs = await discover(f.rs, client.ClientSecretBasic(f.rs.clientSecret));
    const other = await discover(f.other, client.ClientSecretPost(f.other.clientSecret));
    const tokens = await f.codeTokens(f.own);
    await client.tokenRevocation(other, tokens.access_token);
    const seen = await client.tokenIntrospection(rs, tokens.access_token);
    assert.equal(seen.active, true);
    assert.equal(seen.aud, f.own.clientId);
    assert.deepEqual({ ...(await client.tokenIntrospection(other, tokens.access_token)) }, { active: false });
  });

  test('surfaces unsupported_token_type as a ResponseBodyError', async () => {
    const config = await discover(f.own, client.ClientSecretBasic(f.own.clientSecret));
    await assert.rejects(client.tokenRevocation(config, await f.ccToken(f.own), { token_type_hint: 'id_token' }), (error: unknown) => {
      assert.ok(error instanceof client.ResponseBodyError);
      assert.equal(error.error, 'unsupported_token_type');
      assert.equal(error.status, 400);
      return true;
    });
  });
});
