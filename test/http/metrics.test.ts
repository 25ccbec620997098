import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.js';

/** SPEC §1: /metrics in Prometheus' text format. */
describe('/metrics', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  test('counts requests by route pattern and status, and OAuth errors by code', async () => {
    const made = await server.createApp();
    await fetch(`${server.url}/oauth/2.0/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: made.clientId, client_secret: made.clientSecret! }) });
    await fetch(`${server.url}/oauth/2.0/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: made.clientId, client_secret: 'wrong' }) });
    await fetch(`${server.url}/oauth/2.0/errors/invalid_grant`);
    const response = await fetch(`${server.url}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    assert.match(text, /gatehouse_http_requests_total\{route="\/oauth\/2\.0\/token",method="POST",status="200"\} 1/);
    assert.match(text, /gatehouse_http_requests_total\{route="\/oauth\/2\.0\/token",method="POST",status="401"\} 1/);
    assert.match(text, /gatehouse_http_requests_total\{route="\/oauth\/2\.0\/errors\/:code",method="GET",status="200"\} 1/);
    assert.match(text, /gatehouse_oauth_errors_total\{code="invalid_client"\} 1/);
    assert.match(text, /gatehouse_http_request_duration_seconds_bucket\{le="0\.5",route="\/oauth\/2\.0\/token"\} 2/);
    // createInstance (what `gatehouse serve` runs) adds the process metrics.
    assert.match(text, /gatehouse_process_resident_memory_bytes \d+/);
  });

  test('an unknown path is counted under one label, so URLs cannot grow the label set', async () => {
    await fetch(`${server.url}/no/such/${Date.now()}`);
    const text = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(text, /route="unmatched",method="GET",status="404"/);
    assert.ok(!text.includes('/no/such/'));
  });
});
