import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../../src/server.js';
import { authorize, Browser, redirectParams } from '../helpers/browserless-flow.js';
import { startServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'https://app.example.com/cb';

/** One pino line per request, with the request id the response carries, and nothing secret in it. */
describe('request logging', () => {
  let server: TestServer;
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter((line: string) => line !== ''));
      done();
    },
  });

  before(async () => {
    server = await startServer({ deps: { logger: createLogger({ logLevel: 'info' }, sink) } });
  });
  after(() => server.close());

  const logged = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

  test('writes one line per request, carrying the id sent back in X-Request-Id', async () => {
    const before = lines.length;
    const response = await fetch(`${server.url}/health`);
    await new Promise((resolve) => setImmediate(resolve));
    const id = response.headers.get('x-request-id');
    assert.match(id!, /^[A-Za-z0-9_-]{22}$/);
    const mine = logged().slice(before).filter((line) => line['reqId'] === id);
    assert.equal(mine.length, 1);
    assert.equal(mine[0]!['path'], '/health');
    assert.equal(mine[0]!['status'], 200);
  });

  test('logs the error code, client and private detail of a failure, with its request id', async () => {
    const made = await server.createApp();
    const response = await fetch(`${server.url}/oauth/2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: made.clientId, client_secret: 'not-the-secret-Qx7' }),
    });
    await new Promise((resolve) => setImmediate(resolve));
    const line = logged().find((entry) => entry['reqId'] === response.headers.get('x-request-id'))!;
    assert.equal(line['error'], 'invalid_client');
    assert.equal(line['client_id'], made.clientId);
    assert.equal(line['status'], 401);
  });

  test('never writes a secret, password, code or token it handled', async () => {
    const made = await server.createApp({ redirectUris: [REDIRECT] });
    const person = await server.createUser(undefined, 'pw-Very-Secret-91');
    const final = await authorize(new Browser(server.url), { response_type: 'code', client_id: made.clientId, redirect_uri: REDIRECT }, person);
    const code = redirectParams(final.location!).get('code')!;
    const tokenResponse = await fetch(`${server.url}/oauth/2.0/token?grant_type=authorization_code&code=${encodeURIComponent(code)}&redirect_uri=${encodeURIComponent(REDIRECT)}&client_id=${made.clientId}&client_secret=${made.clientSecret}`);
    const tokens = await tokenResponse.json();
    await fetch(`${server.url}/oauth/2.0/tokeninfo?access_token=${tokens.access_token}`);
    await fetch(`${server.url}/oauth/2.0/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: made.clientId, client_secret: made.clientSecret! }) });
    await new Promise((resolve) => setImmediate(resolve));
    const all = lines.join('\n');
    const secrets = [made.clientSecret!, person.password, code, tokens.access_token, tokens.refresh_token];
    // The secret halves too: a token's id alone is not secret, its secret part is.
    for (const secret of [...secrets, ...secrets.map((s) => s.split('.').pop()!)]) assert.ok(!all.includes(secret), `a log line contains ${secret.slice(0, 6)}…`);
    assert.ok(lines.length >= 5);
  });
});
