import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AccountInputError, createAccount } from '../../src/core/accounts.js';
import { codeFlowTokens } from '../helpers/browserless-flow.js';
import { startServer, TEST_CONTEXT, type TestServer } from '../helpers/server.js';

const REDIRECT = 'https://app.example.com/cb';

/** Issue 5 item 5: the address is read only with the `email` scope. */
describe('the email scope', () => {
  let server: TestServer;
  let client: { clientId: string; clientSecret: string; redirectUri: string };
  const person = { username: 'mei', password: 'correct horse battery', email: 'mei@example.com' };

  before(async () => {
    server = await startServer();
    const made = await server.createApp({ redirectUris: [REDIRECT], scopes: ['basic', 'email'] });
    client = { clientId: made.clientId, clientSecret: made.clientSecret!, redirectUri: REDIRECT };
    await createAccount(server.instance.services.stores, { username: person.username, password: person.password, email: person.email }, TEST_CONTEXT());
  });
  after(() => server.close());

  const get = (path: string, token: string) => fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });

  test('getEmail answers the address for a token granted email', async () => {
    const tokens = await codeFlowTokens(server.url, { ...client, scope: 'basic email' }, person);
    const response = await get('/rest/2.0/passport/users/getEmail', tokens.access_token);
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.equal(body.email, 'mei@example.com');
    assert.match(body.uid, /^\d+$/);
  });

  test('getEmail without the email scope: 403 insufficient_scope naming email', async () => {
    const tokens = await codeFlowTokens(server.url, { ...client, scope: 'basic' }, person);
    const response = await get('/rest/2.0/passport/users/getEmail', tokens.access_token);
    assert.equal(response.status, 403);
    assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="gatehouse", error="insufficient_scope", scope="email"');
    assert.equal((await response.json()).error, 'insufficient_scope');
  });

  test('getInfo carries email only when the token was granted it', async () => {
    const withEmail = await codeFlowTokens(server.url, { ...client, scope: 'basic email' }, person);
    assert.equal((await (await get('/rest/2.0/passport/users/getInfo', withEmail.access_token)).json()).email, 'mei@example.com');
    const without = await codeFlowTokens(server.url, { ...client, scope: 'basic' }, person);
    const body = await (await get('/rest/2.0/passport/users/getInfo', without.access_token)).json();
    assert.equal(body.username, 'mei');
    assert.equal('email' in body, false);
  });

  test('an account is refused an address that is not one', async () => {
    await assert.rejects(createAccount(server.instance.services.stores, { username: 'bad', password: 'correct horse battery', email: 'not an address' }, TEST_CONTEXT()), AccountInputError);
  });
});
