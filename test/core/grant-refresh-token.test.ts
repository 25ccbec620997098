import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lookupToken } from '../../src/core/access-token.js';
import type { TokenResponse } from '../../src/core/issue.js';
import { exchangeToken } from '../../src/core/token-endpoint.js';
import { credentials, issueCode, LIFETIMES, makeApp, rejectsWith, tokenDeps } from '../helpers/fixtures.js';

async function setup(scope = ['basic', 'email']) {
  const deps = tokenDeps();
  const client = makeApp();
  await deps.stores.apps.createApp(client.app);
  const code = await issueCode(deps.stores, client.app, deps.clock.now(), { scope });
  const params = { ...credentials(client), grant_type: 'authorization_code', code, redirect_uri: 'https://app.example.com/cb' };
  const first = await exchangeToken(deps, { authorization: undefined, params });
  const refresh = (token: string, extra: Record<string, string> = {}, who = client) =>
    exchangeToken(deps, { authorization: undefined, params: { ...credentials(who), grant_type: 'refresh_token', refresh_token: token, ...extra } });
  const status = async (token: string) => (await lookupToken(deps.stores.tokens, token, deps.clock.now())).status;
  return { deps, client, first, refresh, status };
}

describe('refresh_token grant', () => {
  it('rotates: returns a new pair and spends the presented refresh token', async () => {
    const { first, refresh, status } = await setup();
    const second = await refresh(first.refresh_token!);
    assert.ok(second.refresh_token && second.refresh_token !== first.refresh_token);
    assert.notEqual(second.access_token, first.access_token);
    assert.equal(second.scope, 'basic email');
    assert.equal(second.expires_in, LIFETIMES.accessToken);
    assert.equal(await status(first.refresh_token!), 'revoked');
    assert.equal(await status(second.access_token), 'active');
    assert.ok((await refresh(second.refresh_token)).access_token);
  });
  it('rejects a reused refresh token with expired_token and revokes its family', async () => {
    const { first, refresh, status } = await setup();
    const second = await refresh(first.refresh_token!);
    await rejectsWith(refresh(first.refresh_token!), 'expired_token', /refresh_token has already been used/);
    for (const token of [first.access_token, second.access_token, second.refresh_token!]) assert.equal(await status(token), 'revoked');
    // Still expired_token, never invalid_grant, after the family is gone (SPEC §4).
    await rejectsWith(refresh(first.refresh_token!), 'expired_token', /refresh_token has already been used/);
    await rejectsWith(refresh(second.refresh_token!), 'invalid_grant', /refresh_token has been revoked/);
  });
  it('lets exactly one of concurrent refreshes with one token win', async () => {
    const { first, refresh } = await setup();
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => refresh(first.refresh_token!)));
    assert.equal(results.filter((result) => result.status === 'fulfilled').length, 1);
  });
  it('narrows the scope on request and keeps the granted scope on the new refresh token', async () => {
    const { first, refresh } = await setup();
    const narrow = await refresh(first.refresh_token!, { scope: 'email' });
    assert.equal(narrow.scope, 'email');
    const wider: TokenResponse = await refresh(narrow.refresh_token!, { scope: 'basic,email' });
    assert.equal(wider.scope, 'basic email');
  });
  it('rejects a scope wider than the grant with invalid_scope and leaves the token usable', async () => {
    const { first, refresh } = await setup(['basic']);
    await rejectsWith(refresh(first.refresh_token!, { scope: 'basic email' }), 'invalid_scope', /scope may only narrow/);
    assert.ok((await refresh(first.refresh_token!)).access_token);
  });
  it('rejects an expired refresh token with expired_token', async () => {
    const { deps, first, refresh } = await setup();
    deps.clock.advance(LIFETIMES.refreshToken);
    await rejectsWith(refresh(first.refresh_token!), 'expired_token', /refresh_token has expired/);
  });
  it("rejects another app's refresh token with invalid_grant, leaving it unspent", async () => {
    const { deps, first, refresh } = await setup();
    const other = makeApp();
    await deps.stores.apps.createApp(other.app);
    await rejectsWith(refresh(first.refresh_token!, {}, other), 'invalid_grant', /issued to another app/);
    assert.ok((await refresh(first.refresh_token!)).access_token);
  });
  it('rejects an access token, an unknown token or none at all', async () => {
    const { first, refresh } = await setup();
    await rejectsWith(refresh(first.access_token), 'invalid_grant', /refresh_token is unknown/);
    await rejectsWith(refresh('12.nonsense'), 'invalid_grant', /refresh_token is unknown/);
    await rejectsWith(refresh(''), 'invalid_request', /missing required parameter refresh_token/);
  });
});
