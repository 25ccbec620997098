import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { authorize, Browser, redirectParams, type TokenJson } from '../helpers/browserless-flow.js';
import { basic, startResourceFixture, UNKNOWN_TOKEN, type Client, type Reply, type ResourceFixture } from './fixture.js';

describe('POST /oauth/2.0/revoke (RFC 7009)', () => {
  let f: ResourceFixture;
  const revoke = (client: Client, form: Record<string, string>) => f.post('/oauth/2.0/revoke', form, basic(client.clientId, client.clientSecret));
  const active = (token: string) => f.isActive(token);

  function assertRevokedAnswer(answer: Reply): void {
    assert.equal(answer.status, 200);
    assert.equal(answer.text, '');
    assert.equal(answer.headers.get('cache-control'), 'no-store');
  }

  before(async () => {
    f = await startResourceFixture();
  });
  after(() => f.server.close());

  test('revokes an access token with an empty 200, and leaves its refresh token working', async () => {
    const tokens = await f.codeTokens(f.own);
    assertRevokedAnswer(await revoke(f.own, { token: tokens.access_token }));
    assert.equal(await active(tokens.access_token), false);
    const user = await f.get('/rest/2.0/passport/users/getLoggedInUser', { authorization: `Bearer ${tokens.access_token}` });
    assert.equal(user.status, 401);
    assert.equal(await active(tokens.refresh_token!), true);
  });

  test('revoking a refresh token revokes its whole family: the tokens of every earlier refresh too', async () => {
    const first = await f.codeTokens(f.own);
    const refreshed = await f.post('/oauth/2.0/token', { grant_type: 'refresh_token', refresh_token: first.refresh_token! }, basic(f.own.clientId, f.own.clientSecret));
    const second = refreshed.json() as TokenJson;
    assert.equal(await active(first.access_token), true);
    assert.equal(await active(second.access_token), true);

    assertRevokedAnswer(await revoke(f.own, { token: second.refresh_token!, token_type_hint: 'refresh_token' }));
    assert.equal(await active(first.access_token), false);
    assert.equal(await active(second.access_token), false);
    assert.equal(await active(second.refresh_token!), false);
    const again = await f.post('/oauth/2.0/token', { grant_type: 'refresh_token', refresh_token: second.refresh_token! }, basic(f.own.clientId, f.own.clientSecret));
    assert.equal(again.status, 400);
    assert.deepEqual(again.json(), f.errorBody('invalid_grant', 'refresh_token has been revoked'));
  });

  test('leaves other grants of the same user and app alone when a family is revoked', async () => {
    const one = await f.codeTokens(f.own);
    const two = await f.codeTokens(f.own);
    assertRevokedAnswer(await revoke(f.own, { token: one.refresh_token! }));
    assert.equal(await active(one.access_token), false);
    assert.equal(await active(two.access_token), true);
    assert.equal(await active(two.refresh_token!), true);
  });

  test('revokes a token without a family (client credentials) alone', async () => {
    const one = await f.ccToken(f.own);
    const two = await f.ccToken(f.own);
    assertRevokedAnswer(await revoke(f.own, { token: one }));
    assert.equal(await active(one), false);
    assert.equal(await active(two), true);
  });

  test('finds the token when token_type_hint names the other kind (RFC 7009 §2.1)', async () => {
    const tokens = await f.codeTokens(f.own);
    assertRevokedAnswer(await revoke(f.own, { token: tokens.access_token, token_type_hint: 'refresh_token' }));
    assert.equal(await active(tokens.access_token), false);
  });

  test('answers 200 for unknown, malformed, expired and already revoked tokens', async () => {
    assertRevokedAnswer(await revoke(f.own, { token: UNKNOWN_TOKEN }));
    assertRevokedAnswer(await revoke(f.own, { token: 'garbage' }));
    const token = await f.ccToken(f.own);
    assertRevokedAnswer(await revoke(f.own, { token }));
    assertRevokedAnswer(await revoke(f.own, { token }));
    const old = await f.ccToken(f.own);
    f.advance(2_592_001);
    assertRevokedAnswer(await revoke(f.own, { token: old }));
  });

  test("answers 200 for another app's token and changes nothing", async () => {
    const tokens = await f.codeTokens(f.own);
    assertRevokedAnswer(await revoke(f.other, { token: tokens.access_token }));
    assertRevokedAnswer(await revoke(f.other, { token: tokens.refresh_token! }));
    assertRevokedAnswer(await revoke(f.rs, { token: tokens.refresh_token! }));
    assert.equal(await active(tokens.access_token), true);
    assert.equal(await active(tokens.refresh_token!), true);
  });

  test('rejects a token_type_hint it does not know with 400 unsupported_token_type, revoking nothing', async () => {
    const token = await f.ccToken(f.own);
    const answer = await revoke(f.own, { token, token_type_hint: 'id_token' });
    assert.equal(answer.status, 400);
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    assert.match(answer.headers.get('content-type')!, /^application\/json/);
    assert.deepEqual(answer.json(), f.errorBody('unsupported_token_type', 'token_type_hint id_token is not supported: use access_token or refresh_token'));
    assert.equal(await active(token), true);
  });

  test('lets a public app revoke its own token with client_id alone', async () => {
    const redirectUri = 'https://app.public-revoker.com/cb';
    const { clientId } = await f.server.createApp({ rootDomain: 'public-revoker.com', redirectUris: [redirectUri], isPublic: true });
    const final = await authorize(new Browser(f.server.url), { response_type: 'token', client_id: clientId, redirect_uri: redirectUri }, f.person);
    const token = redirectParams(final.location!, 'fragment').get('access_token')!;
    assert.equal(await active(token), true);
    assertRevokedAnswer(await f.post('/oauth/2.0/revoke', { token, client_id: clientId }));
    assert.equal(await active(token), false);
  });

  test('rejects a wrong secret with 401 invalid_client, revoking nothing', async () => {
    const token = await f.ccToken(f.own);
    const answer = await revoke({ ...f.own, clientSecret: 'wrong' }, { token });
    assert.equal(answer.status, 401);
    assert.equal(answer.headers.get('www-authenticate'), 'Basic realm="gatehouse"');
    assert.equal((answer.json() as { error: string }).error, 'invalid_client');
    assert.equal(await active(token), true);
  });

  test('rejects a missing token with invalid_request', async () => {
    const answer = await revoke(f.own, {});
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.json(), f.errorBody('invalid_request', 'missing required parameter token'));
  });

  test('answers GET with 405 and Allow: POST', async () => {
    const answer = await f.get('/oauth/2.0/revoke');
    assert.equal(answer.status, 405);
    assert.equal(answer.headers.get('allow'), 'POST');
  });
});
