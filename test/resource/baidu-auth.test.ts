import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Browser } from '../helpers/browserless-flow.js';
import { assertInvalidToken, startResourceFixture, UNKNOWN_TOKEN, type Reply, type ResourceFixture } from './fixture.js';

const REVOKE_AUTHORIZATION = '/rest/2.0/passport/auth/revokeAuthorization';
const EXPIRE_SESSION = '/rest/2.0/passport/auth/expireSession';

describe("Baidu's revokeAuthorization and expireSession", () => {
  let f: ResourceFixture;
  const active = (token: string) => f.isActive(token);

  function assertDone(answer: Reply): void {
    assert.equal(answer.status, 200);
    assert.match(answer.headers.get('content-type')!, /^application\/json/);
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    assert.equal(answer.text, '{"result":"1"}');
  }

  const assertInvalid = (answer: Reply, description: string, code: 110 | 111) => assertInvalidToken(f, answer, description, code);

  before(async () => {
    f = await startResourceFixture();
  });
  after(() => f.server.close());

  test("revokeAuthorization ends every token the user granted the app and forgets the consent, not other apps' grants", async () => {
    const client = await f.newClient();
    const one = await f.codeTokens(client);
    const two = await f.codeTokens(client);
    const elsewhere = await f.codeTokens(f.other);
    assertDone(await f.post(REVOKE_AUTHORIZATION, { access_token: one.access_token }));
    for (const token of [one.access_token, one.refresh_token!, two.access_token, two.refresh_token!]) assert.equal(await active(token), false);
    assert.equal(await active(elsewhere.access_token), true);
    assert.equal(await active(elsewhere.refresh_token!), true);

    // The consent is gone: the next authorization asks again.
    const browser = new Browser(f.server.url);
    const login = await browser.request(`/oauth/2.0/authorize?${new URLSearchParams({ response_type: 'code', client_id: client.clientId, redirect_uri: client.redirectUri })}`);
    const consent = await browser.submit(login, { username: f.person.username, password: f.person.password });
    assert.equal(consent.status, 200);
    assert.match(consent.body, /name="decision" value="approve"/);
  });

  test('revokeAuthorization with a client credentials token ends that token', async () => {
    const token = await f.ccToken(f.own);
    assertDone(await f.post(REVOKE_AUTHORIZATION, {}, `Bearer ${token}`));
    assert.equal(await active(token), false);
  });

  test('expireSession ends that access token only: its refresh token and other sessions stay', async () => {
    const one = await f.codeTokens(f.own);
    const two = await f.codeTokens(f.own);
    assertDone(await f.get(`${EXPIRE_SESSION}?access_token=${encodeURIComponent(one.access_token)}`));
    assert.equal(await active(one.access_token), false);
    assert.equal(await active(one.refresh_token!), true);
    assert.equal(await active(two.access_token), true);
  });

  test("a foreign app's token ends only its own session", async () => {
    const mine = await f.codeTokens(f.own);
    const theirs = await f.codeTokens(f.other);
    assertDone(await f.post(EXPIRE_SESSION, { access_token: theirs.access_token }));
    assertDone(await f.post(REVOKE_AUTHORIZATION, { access_token: (await f.codeTokens(f.other)).access_token }));
    assert.equal(await active(theirs.refresh_token!), false);
    assert.equal(await active(mine.access_token), true);
    assert.equal(await active(mine.refresh_token!), true);
  });

  for (const path of [REVOKE_AUTHORIZATION, EXPIRE_SESSION]) {
    test(`${path} answers 401 with error_code 110 for revoked and unknown tokens`, async () => {
      const tokens = await f.codeTokens(f.own);
      assertDone(await f.post(EXPIRE_SESSION, { access_token: tokens.access_token }));
      assertInvalid(await f.post(path, { access_token: tokens.access_token }), 'the access token has been revoked', 110);
      assertInvalid(await f.post(path, { access_token: UNKNOWN_TOKEN }), 'the access token is unknown', 110);
    });

    test(`${path} answers 401 with error_code 111 for an expired token, and changes nothing`, async () => {
      const tokens = await f.codeTokens(f.own);
      f.advance(2_592_001);
      assertInvalid(await f.post(path, { access_token: tokens.access_token }), 'the access token has expired', 111);
      assert.equal(await active(tokens.refresh_token!), true);
    });

    test(`${path} answers 401 without an error attribute when no token is sent`, async () => {
      const answer = await f.post(path, {});
      assert.equal(answer.status, 401);
      assert.equal(answer.headers.get('www-authenticate'), 'Bearer realm="gatehouse"');
      assert.equal((answer.json() as { error_code: number }).error_code, 110);
    });
  }
});
