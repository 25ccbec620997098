import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { authorize, Browser, redirectParams } from '../helpers/browserless-flow.js';
import { basic, startResourceFixture, UNKNOWN_TOKEN, type Client, type ResourceFixture } from './fixture.js';

const THIRTY_DAYS = 2_592_000;
const TEN_YEARS = 315_360_000;

describe('POST /oauth/2.0/introspect (RFC 7662)', () => {
  let f: ResourceFixture;
  const introspect = (client: Client, form: Record<string, string>) => f.post('/oauth/2.0/introspect', form, basic(client.clientId, client.clientSecret));

  function assertInactive(answer: { status: number; headers: Headers; text: string }): void {
    assert.equal(answer.status, 200);
    assert.match(answer.headers.get('content-type')!, /^application\/json/);
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    assert.equal(answer.text, '{"active":false}');
  }

  before(async () => {
    f = await startResourceFixture();
  });
  after(() => f.server.close());

  test('describes an active access token of the calling app with every RFC 7662 field', async () => {
    const tokens = await f.codeTokens(f.own);
    const answer = await introspect(f.own, { token: tokens.access_token });
    assert.equal(answer.status, 200);
    assert.match(answer.headers.get('content-type')!, /^application\/json/);
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    const body = answer.json() as Record<string, unknown>;
    assert.equal(typeof body['iat'], 'number');
    assert.deepEqual(body, {
      active: true,
      scope: 'basic',
      client_id: f.own.clientId,
      username: f.person.username,
      token_type: 'Bearer',
      exp: (body['iat'] as number) + THIRTY_DAYS,
      iat: body['iat'],
      sub: f.person.uid,
      aud: f.own.clientId,
      iss: f.server.url,
    });
    assert.ok(Math.abs((body['iat'] as number) - Date.now() / 1000) < 60);
  });

  test('describes an active refresh token without token_type (RFC 6749 §5.1 types access tokens only)', async () => {
    const tokens = await f.codeTokens(f.own);
    const body = (await introspect(f.own, { token: tokens.refresh_token!, token_type_hint: 'refresh_token' })).json() as Record<string, unknown>;
    assert.deepEqual(body, {
      active: true,
      scope: 'basic',
      client_id: f.own.clientId,
      username: f.person.username,
      exp: (body['iat'] as number) + TEN_YEARS,
      iat: body['iat'],
      sub: f.person.uid,
      aud: f.own.clientId,
      iss: f.server.url,
    });
  });

  test('describes a client credentials token without username or sub (no person behind it)', async () => {
    const token = await f.ccToken(f.own);
    const body = (await introspect(f.own, { token })).json() as Record<string, unknown>;
    assert.deepEqual(body, {
      active: true,
      scope: 'basic',
      client_id: f.own.clientId,
      token_type: 'Bearer',
      exp: (body['iat'] as number) + THIRTY_DAYS,
      iat: body['iat'],
      aud: f.own.clientId,
      iss: f.server.url,
    });
  });

  test('finds the token whatever token_type_hint says, and ignores an unknown hint (RFC 7662 §2.1)', async () => {
    const tokens = await f.codeTokens(f.own);
    for (const hint of ['refresh_token', 'access_token', 'no_such_type']) {
      const body = (await introspect(f.own, { token: tokens.access_token, token_type_hint: hint })).json() as Record<string, unknown>;
      assert.equal(body['active'], true, hint);
      assert.equal(body['token_type'], 'Bearer', hint);
    }
    const refresh = (await introspect(f.own, { token: tokens.refresh_token!, token_type_hint: 'access_token' })).json() as Record<string, unknown>;
    assert.equal(refresh['active'], true);
  });

  test('answers exactly {"active":false} for an expired token', async () => {
    const token = await f.ccToken(f.own);
    f.advance(THIRTY_DAYS + 1);
    assertInactive(await introspect(f.own, { token }));
  });

  test('answers exactly {"active":false} for a revoked token', async () => {
    const tokens = await f.codeTokens(f.own);
    const revoked = await f.post('/oauth/2.0/revoke', { token: tokens.access_token }, basic(f.own.clientId, f.own.clientSecret));
    assert.equal(revoked.status, 200);
    assertInactive(await introspect(f.own, { token: tokens.access_token }));
  });

  test('answers exactly {"active":false} for a refresh token already exchanged', async () => {
    const tokens = await f.codeTokens(f.own);
    const refreshed = await f.post('/oauth/2.0/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }, basic(f.own.clientId, f.own.clientSecret));
    assert.equal(refreshed.status, 200);
    assertInactive(await introspect(f.own, { token: tokens.refresh_token! }));
  });

  test('answers exactly {"active":false} for unknown and malformed tokens', async () => {
    assertInactive(await introspect(f.own, { token: UNKNOWN_TOKEN }));
    assertInactive(await introspect(f.own, { token: 'not-a-token' }));
    const tokens = await f.codeTokens(f.own);
    const [id] = tokens.access_token.split('.');
    assertInactive(await introspect(f.own, { token: `${id}.${'B'.repeat(43)}` }));
  });

  test("answers exactly {\"active\":false} for another app's token", async () => {
    const tokens = await f.codeTokens(f.own);
    assertInactive(await introspect(f.other, { token: tokens.access_token }));
    assertInactive(await introspect(f.other, { token: tokens.refresh_token! }));
  });

  test("lets a resource server introspect any app's token", async () => {
    const tokens = await f.codeTokens(f.own);
    const body = (await introspect(f.rs, { token: tokens.access_token })).json() as Record<string, unknown>;
    assert.equal(body['active'], true);
    assert.equal(body['client_id'], f.own.clientId);
    assert.equal(body['aud'], f.own.clientId);
    assert.equal(body['sub'], f.person.uid);
    assert.equal(body['username'], f.person.username);
  });

  test("shows a resource server a disabled app's tokens as inactive", async () => {
    const victim = await f.newClient();
    const token = await f.ccToken(victim);
    await f.server.instance.services.stores.apps.updateApp(victim.clientId, { disabled: true });
    assertInactive(await introspect(f.rs, { token }));
  });

  test('lets a public app introspect its own tokens with client_id alone, never others even when marked resource server', async () => {
    const redirectUri = 'https://app.public-app.com/cb';
    const { clientId } = await f.server.createApp({ rootDomain: 'public-app.com', redirectUris: [redirectUri], isPublic: true, isResourceServer: true });
    const final = await authorize(new Browser(f.server.url), { response_type: 'token', client_id: clientId, redirect_uri: redirectUri }, f.person);
    const own = redirectParams(final.location!, 'fragment').get('access_token')!;
    const mine = (await f.post('/oauth/2.0/introspect', { token: own, client_id: clientId })).json() as Record<string, unknown>;
    assert.equal(mine['active'], true);
    assert.equal(mine['client_id'], clientId);
    const foreign = await f.ccToken(f.own);
    assertInactive(await f.post('/oauth/2.0/introspect', { token: foreign, client_id: clientId }));
  });

  test('rejects a wrong secret with 401 invalid_client and a Basic challenge', async () => {
    const answer = await f.post('/oauth/2.0/introspect', { token: UNKNOWN_TOKEN }, basic(f.own.clientId, 'wrong'));
    assert.equal(answer.status, 401);
    assert.equal(answer.headers.get('www-authenticate'), 'Basic realm="gatehouse"');
    assert.deepEqual(answer.json(), f.errorBody('invalid_client', 'client_secret is wrong'));
  });

  test('rejects an unauthenticated call with invalid_request naming client_id', async () => {
    const answer = await f.post('/oauth/2.0/introspect', { token: UNKNOWN_TOKEN });
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.json(), f.errorBody('invalid_request', 'missing required parameter client_id'));
  });

  test('rejects a missing or repeated token with invalid_request', async () => {
    const missing = await introspect(f.own, {});
    assert.equal(missing.status, 400);
    assert.equal((missing.json() as { error_description: string }).error_description, 'missing required parameter token');
    const repeated = await f.post('/oauth/2.0/introspect?token=a', { token: 'b' }, basic(f.own.clientId, f.own.clientSecret));
    assert.equal(repeated.status, 400);
    assert.equal((repeated.json() as { error_description: string }).error_description, 'parameter token is repeated');
  });

  test('answers GET with 405 and Allow: POST', async () => {
    const answer = await f.get('/oauth/2.0/introspect');
    assert.equal(answer.status, 405);
    assert.equal(answer.headers.get('allow'), 'POST');
    assert.equal((answer.json() as { error: string }).error, 'invalid_request');
  });
});
