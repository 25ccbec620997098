import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lookupToken } from '../../src/core/access-token.js';
import { exchangeToken } from '../../src/core/token-endpoint.js';
import { basic, credentials, LIFETIMES, makeApp, rejectsWith, tokenDeps } from '../helpers/fixtures.js';

describe('client_credentials grant', () => {
  it('issues an access token for the app itself and no refresh token (RFC 6749 §4.4.3)', async () => {
    const deps = tokenDeps();
    const client = makeApp();
    await deps.stores.apps.createApp(client.app);
    const response = await exchangeToken(deps, { authorization: basic(client.app.clientId, client.secret!), params: { grant_type: 'client_credentials', scope: 'email' } });
    assert.deepEqual(Object.keys(response).sort(), ['access_token', 'expires_in', 'scope', 'token_type']);
    assert.equal(response.token_type, 'Bearer');
    assert.equal(response.expires_in, LIFETIMES.accessToken);
    assert.equal(response.scope, 'email');
    const found = await lookupToken(deps.stores.tokens, response.access_token, deps.clock.now());
    assert.equal(found.status, 'active');
    assert.ok(found.status === 'active' && found.token.uid === null && found.token.clientId === client.app.clientId);
  });
  it('rejects a scope the app may not have with invalid_scope', async () => {
    const deps = tokenDeps();
    const client = makeApp({ scopes: ['basic'] });
    await deps.stores.apps.createApp(client.app);
    await rejectsWith(
      exchangeToken(deps, { authorization: undefined, params: { ...credentials(client), grant_type: 'client_credentials', scope: 'basic email' } }),
      'invalid_scope',
      /scope email is not enabled/,
    );
  });
  it('refuses a public app with unauthorized_client', async () => {
    const deps = tokenDeps();
    const client = makeApp({ isPublic: true });
    await deps.stores.apps.createApp(client.app);
    await rejectsWith(
      exchangeToken(deps, { authorization: undefined, params: { ...credentials(client), grant_type: 'client_credentials' } }),
      'unauthorized_client',
      /public app may not use the client_credentials grant/,
    );
  });
});
