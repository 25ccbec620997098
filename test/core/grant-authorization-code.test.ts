import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lookupToken } from '../../src/core/access-token.js';
import { exchangeToken } from '../../src/core/token-endpoint.js';
import { parseToken } from '../../src/core/tokens.js';
import { credentials, issueCode, LIFETIMES, makeApp, rejectsWith, tokenDeps } from '../helpers/fixtures.js';

const REDIRECT = 'https://app.example.com/cb';
// RFC 7636 appendix B.
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

async function setup(overrides: Parameters<typeof makeApp>[0] = {}) {
  const deps = tokenDeps();
  const client = makeApp(overrides);
  await deps.stores.apps.createApp(client.app);
  const redeem = (code: string, extra: Record<string, string> = {}, who = client) =>
    exchangeToken(deps, { authorization: undefined, params: { ...credentials(who), grant_type: 'authorization_code', code, redirect_uri: REDIRECT, ...extra } });
  return { deps, client, redeem };
}

describe('authorization_code grant', () => {
  it('exchanges a code for an access and a refresh token bound to the user and scope', async () => {
    const { deps, client, redeem } = await setup();
    const code = await issueCode(deps.stores, client.app, deps.clock.now(), { scope: ['basic', 'email'], uid: 'u-42' });
    const response = await redeem(code);
    assert.equal(response.token_type, 'Bearer');
    assert.equal(response.expires_in, LIFETIMES.accessToken);
    assert.equal(response.scope, 'basic email');
    assert.ok(response.refresh_token);
    const access = await lookupToken(deps.stores.tokens, response.access_token, deps.clock.now());
    assert.ok(access.status === 'active');
    assert.equal(access.token.uid, 'u-42');
    assert.equal(access.token.kind, 'access');
    assert.equal(access.token.familyId, parseToken(code)!.id);
  });
  it('issues no refresh token when the app has not enabled refresh_token', async () => {
    const { deps, client, redeem } = await setup({ grantTypes: ['authorization_code'] });
    const response = await redeem(await issueCode(deps.stores, client.app, deps.clock.now()));
    assert.equal(response.refresh_token, undefined);
  });
  it('rejects a redirect_uri other than the one the code was issued for with invalid_grant', async () => {
    const { deps, client, redeem } = await setup();
    const code = await issueCode(deps.stores, client.app, deps.clock.now());
    await rejectsWith(redeem(code, { redirect_uri: 'https://app.example.com/other' }), 'invalid_grant', /redirect_uri differs/);
  });
  it('rejects a missing code or redirect_uri with invalid_request naming it', async () => {
    const { deps, client, redeem } = await setup();
    const code = await issueCode(deps.stores, client.app, deps.clock.now());
    await rejectsWith(redeem(''), 'invalid_request', /missing required parameter code/);
    await rejectsWith(redeem(code, { redirect_uri: '' }), 'invalid_request', /missing required parameter redirect_uri/);
  });
  it('rejects an unknown or malformed code with invalid_grant', async () => {
    const { deps, client, redeem } = await setup();
    const code = await issueCode(deps.stores, client.app, deps.clock.now());
    const [id] = code.split('.');
    await rejectsWith(redeem(`${id}.${'A'.repeat(43)}`), 'invalid_grant', /code is unknown/);
    await rejectsWith(redeem('not-a-code'), 'invalid_grant', /code is unknown/);
  });
  it("rejects another app's code with invalid_grant", async () => {
    const { deps, client, redeem } = await setup();
    const other = makeApp();
    await deps.stores.apps.createApp(other.app);
    const code = await issueCode(deps.stores, client.app, deps.clock.now());
    await rejectsWith(redeem(code, {}, other), 'invalid_grant', /code was issued to another app/);
  });
  it('rejects an expired code with invalid_grant', async () => {
    const { deps, client, redeem } = await setup();
    const code = await issueCode(deps.stores, client.app, deps.clock.now());
    deps.clock.advance(LIFETIMES.authorizationCode);
    await rejectsWith(redeem(code), 'invalid_grant', /code has expired/);
  });
  it('rejects a replayed code with invalid_grant and revokes the tokens of the first exchange', async () => {
    const { deps, client, redeem } = await setup();
    const code = await issueCode(deps.stores, client.app, deps.clock.now());
    const first = await redeem(code);
    await rejectsWith(redeem(code), 'invalid_grant', /code has already been used/);
    const now = deps.clock.now();
    assert.equal((await lookupToken(deps.stores.tokens, first.access_token, now)).status, 'revoked');
    assert.equal((await lookupToken(deps.stores.tokens, first.refresh_token!, now)).status, 'revoked');
    await rejectsWith(
      exchangeToken(deps, { authorization: undefined, params: { ...credentials(client), grant_type: 'refresh_token', refresh_token: first.refresh_token! } }),
      'invalid_grant',
      /refresh_token has been revoked/,
    );
  });
  it('lets exactly one of concurrent redemptions win, and revokes what it got', async () => {
    const { deps, client, redeem } = await setup();
    const code = await issueCode(deps.stores, client.app, deps.clock.now());
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => redeem(code)));
    const won = results.filter((result) => result.status === 'fulfilled');
    assert.equal(won.length, 1);
    const access = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof redeem>>>).value.access_token;
    assert.equal((await lookupToken(deps.stores.tokens, access, deps.clock.now())).status, 'revoked');
  });
});

describe('authorization_code grant: a replay racing the first exchange', () => {
  it('revokes the tokens of the exchange that won, when the replay revoked the family before they were stored', async () => {
    const { deps, client, redeem } = await setup();
    const code = await issueCode(deps.stores, client.app, deps.clock.now());
    const { id } = parseToken(code)!;
    // Another instance's replay lands between our consume and our insert.
    const tokens = deps.stores.tokens;
    const issue = tokens.issueTokens.bind(tokens);
    let issued: number[] = [];
    tokens.issueTokens = async (rows) => {
      await deps.stores.codes.markCodeReplayed(id, deps.clock.now());
      await tokens.revokeFamily(id, deps.clock.now());
      issued = await issue(rows);
      return issued;
    };
    const response = await redeem(code);
    assert.equal(issued.length, 2);
    assert.equal((await lookupToken(tokens, response.access_token, deps.clock.now())).status, 'revoked');
    for (const tokenId of issued) assert.notEqual((await tokens.findToken(tokenId))?.revokedAt, null);
  });
});

describe('authorization_code grant with PKCE', () => {
  it('accepts the right S256 verifier', async () => {
    const { deps, client, redeem } = await setup();
    const code = await issueCode(deps.stores, client.app, deps.clock.now(), { codeChallenge: CHALLENGE, codeChallengeMethod: 'S256' });
    assert.ok((await redeem(code, { code_verifier: VERIFIER })).access_token);
  });
  it('lets a public app redeem with the verifier alone, without a secret', async () => {
    const { deps, client, redeem } = await setup({ isPublic: true });
    assert.equal(client.secret, undefined);
    const code = await issueCode(deps.stores, client.app, deps.clock.now(), { codeChallenge: CHALLENGE, codeChallengeMethod: 'S256' });
    assert.ok((await redeem(code, { code_verifier: VERIFIER })).access_token);
  });
  it('rejects a wrong or missing verifier with invalid_grant, leaving the code unspent', async () => {
    const { deps, client, redeem } = await setup();
    const code = await issueCode(deps.stores, client.app, deps.clock.now(), { codeChallenge: CHALLENGE, codeChallengeMethod: 'S256' });
    await rejectsWith(redeem(code, { code_verifier: 'x'.repeat(43) }), 'invalid_grant', /code_verifier does not match/);
    await rejectsWith(redeem(code), 'invalid_grant', /code_verifier is missing/);
    assert.ok((await redeem(code, { code_verifier: VERIFIER })).access_token);
  });
  it('rejects a verifier for a code issued without a challenge (downgrade) with invalid_grant', async () => {
    const { deps, client, redeem } = await setup();
    const code = await issueCode(deps.stores, client.app, deps.clock.now());
    await rejectsWith(redeem(code, { code_verifier: VERIFIER }), 'invalid_grant', /code_verifier was sent but the code was issued without code_challenge/);
  });
});
