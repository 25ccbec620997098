import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TokenJson } from '../helpers/browserless-flow.js';
import { createTestSchema, PG_SKIP_MESSAGE, PG_URL, type TestSchema } from '../storage/pg-schema.js';
import { basic, startResourceFixture, type ResourceFixture } from './fixture.js';

/** The resource-server side on PostgreSQL: the stores' revocations must reach what introspection reads. */
if (PG_URL === undefined) {
  test('resource-server side on PostgreSQL', (t) => {
    t.diagnostic(PG_SKIP_MESSAGE);
    console.log(PG_SKIP_MESSAGE);
  });
} else {
  const base = PG_URL;
  describe('resource-server side on PostgreSQL', () => {
    let schema: TestSchema;
    let f: ResourceFixture;

    before(async () => {
      schema = await createTestSchema(base);
      f = await startResourceFixture(schema.url);
    });
    after(async () => {
      await f.server.close();
      await schema.drop();
    });

    test('introspection answers a live token in full, and another app\'s with {"active":false}', async () => {
      const tokens = await f.codeTokens(f.own);
      const body = (await f.post('/oauth/2.0/introspect', { token: tokens.access_token }, basic(f.own.clientId, f.own.clientSecret))).json() as Record<string, unknown>;
      assert.equal(body['active'], true);
      assert.equal(body['sub'], f.person.uid);
      assert.equal(body['token_type'], 'Bearer');
      const foreign = await f.post('/oauth/2.0/introspect', { token: tokens.access_token }, basic(f.other.clientId, f.other.clientSecret));
      assert.equal(foreign.text, '{"active":false}');
    });

    test('revoking a refresh token ends its family, issued a moment before', async () => {
      const first = await f.codeTokens(f.own);
      const second = (await f.post('/oauth/2.0/token', { grant_type: 'refresh_token', refresh_token: first.refresh_token! }, basic(f.own.clientId, f.own.clientSecret))).json() as TokenJson;
      const answer = await f.post('/oauth/2.0/revoke', { token: second.refresh_token! }, basic(f.own.clientId, f.own.clientSecret));
      assert.equal(answer.status, 200);
      assert.equal(answer.text, '');
      for (const token of [first.access_token, second.access_token, second.refresh_token!]) assert.equal(await f.isActive(token), false);
    });

    test('revokeAuthorization ends the grant, expireSession the one token; getInfo answers pairwise ids', async () => {
      const one = await f.codeTokens(f.own);
      const two = await f.codeTokens(f.own);
      const info = (await f.get(`/rest/2.0/passport/users/getInfo?access_token=${one.access_token}`)).json() as Record<string, string>;
      assert.match(info['openid']!, /^[A-Za-z0-9_-]{22}$/);
      assert.equal((await f.post('/rest/2.0/passport/auth/expireSession', { access_token: one.access_token })).text, '{"result":"1"}');
      assert.equal(await f.isActive(one.access_token), false);
      assert.equal(await f.isActive(two.access_token), true);
      assert.equal((await f.post('/rest/2.0/passport/auth/revokeAuthorization', { access_token: two.access_token })).text, '{"result":"1"}');
      for (const token of [one.refresh_token!, two.access_token, two.refresh_token!]) assert.equal(await f.isActive(token), false);
    });
  });
}
