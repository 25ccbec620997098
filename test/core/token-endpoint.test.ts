import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exchangeToken } from '../../src/core/token-endpoint.js';
import { credentials, makeApp, rejectsWith, tokenDeps } from '../helpers/fixtures.js';

async function setup(overrides: Parameters<typeof makeApp>[0] = {}) {
  const deps = tokenDeps();
  const client = makeApp(overrides);
  await deps.stores.apps.createApp(client.app);
  return { deps, client };
}

describe('exchangeToken: choosing the grant', () => {
  it('rejects a request without grant_type with invalid_request naming it', async () => {
    const { deps, client } = await setup();
    await rejectsWith(exchangeToken(deps, { authorization: undefined, params: credentials(client) }), 'invalid_request', /missing required parameter grant_type/);
  });
  it('rejects a repeated grant_type with invalid_request', async () => {
    const { deps, client } = await setup();
    const params = { ...credentials(client), grant_type: ['client_credentials', 'client_credentials'] };
    await rejectsWith(exchangeToken(deps, { authorization: undefined, params }), 'invalid_request', /grant_type is repeated/);
  });
  it('rejects an unknown grant_type with unsupported_grant_type naming it', async () => {
    const { deps, client } = await setup();
    const params = { ...credentials(client), grant_type: 'password' };
    await rejectsWith(exchangeToken(deps, { authorization: undefined, params }), 'unsupported_grant_type', /grant_type password is not supported/);
  });
  it('rejects a grant the app has not enabled with unauthorized_client', async () => {
    const { deps, client } = await setup({ grantTypes: ['authorization_code'] });
    const params = { ...credentials(client), grant_type: 'client_credentials' };
    const error = await rejectsWith(exchangeToken(deps, { authorization: undefined, params }), 'unauthorized_client', /not enabled the client_credentials grant/);
    assert.equal(error.clientId, client.app.clientId);
  });
  it('authenticates the client before running the grant', async () => {
    const { deps, client } = await setup();
    const params = { client_id: client.app.clientId, client_secret: 'not-the-secret', grant_type: 'client_credentials' };
    await rejectsWith(exchangeToken(deps, { authorization: undefined, params }), 'invalid_client', /client_secret is wrong/);
  });
});
