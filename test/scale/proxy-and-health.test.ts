/**
 * What a load balancer relies on: the client's address behind a trusted proxy
 * (GATEHOUSE_TRUST_PROXY) keys the rate limits, an untrusted X-Forwarded-For is
 * ignored, and /health is readiness (the database) while /health/live is liveness.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Browser, type PageResponse } from '../helpers/browserless-flow.js';
import { startServer, type TestServer } from '../helpers/server.js';

const REDIRECT = 'https://app.example.com/cb';

/** Ten wrong passwords for one username from `from`, then one more from `from` and one from `other`. */
async function wrongPasswords(server: TestServer, clientId: string, from: string, other: string): Promise<{ eleventh: number; otherAddress: number }> {
  const browser = new Browser(server.url);
  const form = await browser.request(`/oauth/2.0/authorize?${new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: REDIRECT })}`);
  const attempt = (address: string): Promise<PageResponse> => browser.submit(form, { username: 'alice', password: 'wrong' }, { 'x-forwarded-for': address });
  for (let i = 0; i < 10; i += 1) assert.equal((await attempt(from)).status, 200);
  return { eleventh: (await attempt(from)).status, otherAddress: (await attempt(other)).status };
}

describe('behind a proxy', () => {
  const servers: TestServer[] = [];
  after(() => Promise.all(servers.map((server) => server.close())));
  const start = async (env: Record<string, string>) => {
    const server = await startServer({ env });
    servers.push(server);
    const { clientId } = await server.createApp({ redirectUris: [REDIRECT] });
    return { server, clientId };
  };

  it('with GATEHOUSE_TRUST_PROXY=127.0.0.1, limits sign-in failures per client address from X-Forwarded-For', async () => {
    const { server, clientId } = await start({ GATEHOUSE_TRUST_PROXY: '127.0.0.1' });
    assert.deepEqual(await wrongPasswords(server, clientId, '203.0.113.7', '198.51.100.9'), { eleventh: 429, otherAddress: 200 });
  });

  it('without it, ignores X-Forwarded-For (a client could forge it) and limits the peer address', async () => {
    const { server, clientId } = await start({});
    assert.deepEqual(await wrongPasswords(server, clientId, '203.0.113.7', '198.51.100.9'), { eleventh: 429, otherAddress: 429 });
  });
});

describe('health endpoints for the load balancer', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  it('answers readiness 200 while the database answers, then 503 once it does not; liveness stays 200', async () => {
    const ready = await fetch(`${server.url}/health`);
    assert.deepEqual([ready.status, await ready.json()], [200, { status: 'ok', database: 'ok' }]);
    await server.instance.database.close();
    const down = await fetch(`${server.url}/health`);
    assert.equal(down.status, 503);
    assert.equal(down.headers.get('cache-control'), 'no-store');
    assert.deepEqual(await down.json(), { status: 'unavailable', database: 'unreachable' });
    const live = await fetch(`${server.url}/health/live`);
    assert.deepEqual([live.status, await live.json()], [200, { status: 'ok' }]);
  });
});
