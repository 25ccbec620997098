import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { portraitOf } from '../../src/core/users.js';
import { assertInvalidToken, startResourceFixture, UNKNOWN_TOKEN, type Reply, type ResourceFixture } from './fixture.js';

const GET_INFO = '/rest/2.0/passport/users/getInfo';
const LOGGED_IN = '/rest/2.0/passport/users/getLoggedInUser';

describe('user info: getLoggedInUser and getInfo', () => {
  let f: ResourceFixture;
  const call = (path: string, token: string) => f.get(`${path}?access_token=${encodeURIComponent(token)}`);

  const assertInvalid = (answer: Reply, description: string, code: 110 | 111) => assertInvalidToken(f, answer, description, code);

  function assertInsufficientScope(answer: Reply): void {
    assert.equal(answer.status, 403);
    assert.equal(answer.headers.get('www-authenticate'), 'Bearer realm="gatehouse", error="insufficient_scope", scope="basic"');
    assert.deepEqual(answer.json(), {
      ...f.errorBody('insufficient_scope', 'this call needs the scope basic, which the access token does not carry'),
      error_code: 6,
      error_msg: 'No permission to access user data',
    });
  }

  before(async () => {
    f = await startResourceFixture();
  });
  after(() => f.server.close());

  test('getLoggedInUser answers uid, uname and portrait for an active token with basic', async () => {
    const tokens = await f.codeTokens(f.own);
    const answer = await f.get(LOGGED_IN, { authorization: `Bearer ${tokens.access_token}` });
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.json(), { uid: f.person.uid, uname: f.person.username, portrait: portraitOf(f.person.uid) });
  });

  test('getInfo answers openid, unionid, username and portrait for an active token with basic', async () => {
    const tokens = await f.codeTokens(f.own);
    const answer = await call(GET_INFO, tokens.access_token);
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    const body = answer.json() as Record<string, string>;
    assert.deepEqual(Object.keys(body), ['openid', 'unionid', 'username', 'portrait']);
    assert.match(body['openid']!, /^[A-Za-z0-9_-]{22}$/);
    assert.match(body['unionid']!, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(body['username'], f.person.username);
    assert.equal(body['portrait'], portraitOf(f.person.uid));
    assert.notEqual(body['openid'], f.person.uid);
  });

  test('getInfo: openid is stable per app and differs between apps; unionid is shared within a developer account (root domain)', async () => {
    const sibling = await f.newClient({ rootDomain: 'example.com' });
    const info = async (client: typeof f.own) => (await call(GET_INFO, (await f.codeTokens(client)).access_token)).json() as Record<string, string>;
    const [ownA, ownB, sib, other] = [await info(f.own), await info(f.own), await info(sibling), await info(f.other)];
    assert.equal(ownA['openid'], ownB['openid']);
    assert.notEqual(ownA['openid'], sib['openid']);
    assert.equal(ownA['unionid'], sib['unionid']);
    assert.notEqual(ownA['unionid'], other['unionid']);
    assert.notEqual(ownA['openid'], other['openid']);
  });

  test("getInfo answers for a foreign app's token with that app's openid, not the caller's", async () => {
    const mine = (await call(GET_INFO, (await f.codeTokens(f.own)).access_token)).json() as Record<string, string>;
    const theirs = await call(GET_INFO, (await f.codeTokens(f.other)).access_token);
    assert.equal(theirs.status, 200);
    assert.notEqual((theirs.json() as Record<string, string>)['openid'], mine['openid']);
  });

  for (const path of [LOGGED_IN, GET_INFO]) {
    test(`${path} answers 401 invalid_token with error_code 111 for an expired token`, async () => {
      const tokens = await f.codeTokens(f.own);
      f.advance(2_592_001);
      assertInvalid(await call(path, tokens.access_token), 'the access token has expired', 111);
    });

    test(`${path} answers 401 invalid_token with error_code 110 for a revoked, unknown or refresh token`, async () => {
      const tokens = await f.codeTokens(f.own);
      await f.post('/rest/2.0/passport/auth/expireSession', { access_token: tokens.access_token });
      assertInvalid(await call(path, tokens.access_token), 'the access token has been revoked', 110);
      assertInvalid(await call(path, UNKNOWN_TOKEN), 'the access token is unknown', 110);
      assertInvalid(await call(path, tokens.refresh_token!), 'a refresh token is not an access token', 110);
    });

    test(`${path} answers 401 without an error attribute when no token is sent (RFC 6750 §3.1)`, async () => {
      const answer = await f.get(path);
      assert.equal(answer.status, 401);
      assert.equal(answer.headers.get('www-authenticate'), 'Bearer realm="gatehouse"');
      assert.equal((answer.json() as { error_code: number }).error_code, 110);
    });

    test(`${path} answers 403 insufficient_scope for a token without basic`, async () => {
      const tokens = await f.codeTokens(f.own, 'email');
      assert.equal(tokens.scope, 'email');
      assertInsufficientScope(await call(path, tokens.access_token));
    });

    test(`${path} answers 401 for a client credentials token: there is no user`, async () => {
      const token = await f.ccToken(f.own, 'basic');
      assertInvalid(await call(path, token), 'this access token was issued by client credentials and has no user', 110);
    });
  }

  test('getInfo rejects a token sent two ways with 400 invalid_request and Baidu error_code 100', async () => {
    const tokens = await f.codeTokens(f.own);
    const answer = await f.get(`${GET_INFO}?access_token=${tokens.access_token}`, { authorization: `Bearer ${tokens.access_token}` });
    assert.equal(answer.status, 400);
    assert.equal(answer.headers.get('www-authenticate'), 'Bearer realm="gatehouse", error="invalid_request"');
    assert.deepEqual(answer.json(), {
      ...f.errorBody('invalid_request', 'the access token was sent two ways: Authorization header and access_token parameter'),
      error_code: 100,
      error_msg: 'Invalid parameter',
    });
  });
});
