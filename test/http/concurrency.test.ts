import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { authorize, Browser, redirectParams } from '../helpers/browserless-flow.js';
import { startServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'https://app.example.com/cb';

/** Single use under contention (RFC 6749 §4.1.2, §10.4): 50 requests at once, exactly one winner. */
describe('single use under 50 concurrent requests', () => {
  let server: TestServer;
  let creds: Record<string, string>;
  let person: { username: string; password: string };

  before(async () => {
    server = await startServer();
    const made = await server.createApp({ redirectUris: [REDIRECT] });
    creds = { client_id: made.clientId, client_secret: made.clientSecret! };
    person = await server.createUser();
  });
  after(() => server.close());

  const token = (form: Record<string, string>) =>
    fetch(`${server.url}/oauth/2.0/token`, { method: 'POST', body: new URLSearchParams({ ...form, ...creds }) }).then(async (r) => ({ status: r.status, body: await r.json() }));

  async function codeFlow() {
    const final = await authorize(new Browser(server.url), { response_type: 'code', client_id: creds['client_id']!, redirect_uri: REDIRECT }, person);
    return redirectParams(final.location!).get('code')!;
  }

  test('50 parallel redemptions of one code give exactly one success', async () => {
    const code = await codeFlow();
    const results = await Promise.all(Array.from({ length: 50 }, () => token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT })));
    const ok = results.filter((r) => r.status === 200);
    assert.equal(ok.length, 1);
    for (const failure of results.filter((r) => r.status !== 200)) {
      assert.equal(failure.status, 400);
      assert.equal(failure.body.error, 'invalid_grant');
    }
  });

  test('50 parallel refreshes with one refresh token give exactly one success', async () => {
    const pair = (await token({ grant_type: 'authorization_code', code: await codeFlow(), redirect_uri: REDIRECT })).body;
    const results = await Promise.all(Array.from({ length: 50 }, () => token({ grant_type: 'refresh_token', refresh_token: pair.refresh_token })));
    assert.equal(results.filter((r) => r.status === 200).length, 1);
    for (const failure of results.filter((r) => r.status !== 200)) {
      assert.equal(failure.status, 400);
      assert.equal(failure.body.error, 'expired_token');
    }
  });
});
