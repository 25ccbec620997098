/**
 * openid-client v6's own device flow (initiateDeviceAuthorization +
 * pollDeviceAuthorizationGrant) against a real server on loopback, with the
 * poll interval set to 1 s by GATEHOUSE_DEVICE_POLL_INTERVAL. The library
 * waits `interval` before each poll and adds 5 s on slow_down by itself.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import * as client from 'openid-client';
import { startServer, type TestServer } from '../helpers/server.js';
import { call, clientParams, DIALECTS, poll, visitDevicePage } from './helpers.js';

describe('openid-client device flow', () => {
  let server: TestServer;
  let app: { clientId: string; clientSecret: string | undefined };
  let person: { username: string; password: string; uid: string };
  /** Every token endpoint answer the library received, with when it arrived. */
  let seen: { at: number; error: string | undefined; status: number }[];
  let config: client.Configuration;

  before(async () => {
    server = await startServer({ env: { GATEHOUSE_DEVICE_POLL_INTERVAL: '1' } });
    app = await server.createApp({ name: 'CLI tool' });
    person = await server.createUser();
    config = new client.Configuration(
      { issuer: server.url, token_endpoint: `${server.url}/oauth/2.0/token`, device_authorization_endpoint: `${server.url}/oauth/2.0/device/code` },
      app.clientId,
      app.clientSecret,
    );
    client.allowInsecureRequests(config);
    config[client.customFetch] = async (url, options) => {
      const response = await fetch(url, options as RequestInit);
      if (url.endsWith('/oauth/2.0/token')) {
        const body = (await response.clone().json()) as { error?: string };
        seen.push({ at: Date.now(), error: body.error, status: response.status });
      }
      return response;
    };
  });
  after(() => server.close());

  test('initiates, polls while the person approves on the page, and receives the token pair', async () => {
    seen = [];
    const authorization = await client.initiateDeviceAuthorization(config, { scope: 'basic' });
    assert.equal(authorization.interval, 1);
    assert.equal(authorization.verification_uri, `${server.url}/oauth/2.0/device`);
    const polling = client.pollDeviceAuthorizationGrant(config, authorization);
    // Let the library see authorization_pending at least once.
    await sleep(1500);
    await visitDevicePage(server.url, authorization.user_code, person);
    const tokens = await polling;
    assert.equal(tokens.token_type, 'bearer');
    assert.equal(tokens.scope, 'basic');
    assert.ok(tokens.refresh_token);
    assert.equal(seen[0]?.error, 'authorization_pending');
    assert.equal(seen.at(-1)?.status, 200);
    const info = await call(server.url, '/oauth/2.0/tokeninfo', { access_token: tokens.access_token });
    assert.equal(info.json['userid'], person.uid);
  });

  test('gets slow_down when another poll came within the interval, then keeps the raised interval and succeeds', async () => {
    seen = [];
    const authorization = await client.initiateDeviceAuthorization(config, { scope: 'basic' });
    const polling = client.pollDeviceAuthorizationGrant(config, authorization);
    // A stray poll half an interval before the library's first one.
    await sleep(500);
    const stray = await poll(server.url, DIALECTS[1], authorization.device_code, clientParams(app));
    assert.equal(stray.json['error'], 'authorization_pending');
    await sleep(1000);
    await visitDevicePage(server.url, authorization.user_code, person);
    const tokens = await polling;
    assert.ok(tokens.access_token);
    assert.deepEqual(seen.map((answer) => answer.error ?? answer.status), ['slow_down', 200]);
    // 1 s + 5 s: the library waited out the raised interval, and the server let that poll through.
    assert.ok(seen[1]!.at - seen[0]!.at >= 6000 - 50, `waited ${seen[1]!.at - seen[0]!.at} ms`);
  });
});
