/**
 * The device flow end to end over HTTP, in both dialects (SPEC §1, §3, §4):
 * the device endpoint, the person's visit to the verification page, and every
 * answer of the token endpoint's polling. The server's clock is the test's.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestClock } from '../helpers/fixtures.js';
import type { TestServer } from '../helpers/server.js';
import { withPostgres } from '../storage/pg-suite.js';
import { call, clientParams, DIALECTS, poll, requestDevice, startClockedServer, visitDevicePage } from './helpers.js';

const USER_CODE = /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/;
const DEVICE_CODE = /^\d+\.[A-Za-z0-9_-]{43}$/;

/** The whole suite against one database: SQLite by default, PostgreSQL when `pgBase` is given. */
function deviceFlowSuite(label: string, pgBase?: string) {
  describe(`device flow over HTTP (${label})`, () => {
    let server: TestServer;
    let clock: TestClock;
    let client: { clientId: string; clientSecret: string | undefined };
    let person: { username: string; password: string; uid: string };

    before(async () => {
      ({ server, clock } = await startClockedServer(pgBase === undefined ? {} : { pgBase }));
      client = await server.createApp({ name: 'Living Room TV', scopes: ['basic', 'email'] });
      person = await server.createUser();
    });
    after(() => server.close());

    const errorOf = (response: { status: number; headers: Headers; json: Record<string, unknown> }, code: string) => {
      assert.equal(response.status, 400, JSON.stringify(response.json));
      assert.equal(response.json['error'], code, JSON.stringify(response.json));
      assert.equal(response.json['error_uri'], `${server.url}/oauth/2.0/errors/${code}`);
      assert.match(response.headers.get('content-type')!, /^application\/json/);
      assert.equal(response.headers.get('cache-control'), 'no-store');
      return String(response.json['error_description']);
    };

    describe('the device endpoint', () => {
      test('answers both dialects at once: device_code, XXXX-XXXX user_code, both verification names, the complete URI, the QR URL, 1800 s and 5 s', async () => {
        const response = await call(server.url, '/oauth/2.0/device/code', { client_id: client.clientId, response_type: 'device_code', scope: 'basic' });
        assert.equal(response.status, 200);
        assert.match(response.headers.get('content-type')!, /^application\/json/);
        assert.equal(response.headers.get('cache-control'), 'no-store');
        const body = response.json;
        assert.deepEqual(Object.keys(body).sort(), ['device_code', 'expires_in', 'interval', 'qrcode_url', 'user_code', 'verification_uri', 'verification_uri_complete', 'verification_url']);
        assert.match(String(body['device_code']), DEVICE_CODE);
        assert.match(String(body['user_code']), USER_CODE);
        assert.equal(body['verification_url'], `${server.url}/oauth/2.0/device`);
        assert.equal(body['verification_uri'], `${server.url}/oauth/2.0/device`);
        assert.equal(body['verification_uri_complete'], `${server.url}/oauth/2.0/device?code=${body['user_code']}`);
        assert.equal(body['qrcode_url'], `${server.url}/oauth/2.0/qrcode?code=${body['user_code']}`);
        assert.equal(body['expires_in'], 1800);
        assert.equal(body['interval'], 5);
      });

      test('accepts a GET query and an RFC client that sends no response_type', async () => {
        const viaGet = await requestDevice(server.url, { client_id: client.clientId, response_type: 'device_code' }, 'GET');
        assert.match(viaGet.user_code, USER_CODE);
        const rfc = await requestDevice(server.url, { client_id: client.clientId });
        assert.match(rfc.device_code, DEVICE_CODE);
      });

      test('stores neither the device code nor the user code, only their hashes', async () => {
        const device = await requestDevice(server.url, { client_id: client.clientId });
        const rows = JSON.stringify(await server.instance.database.db.selectFrom('device_codes').selectAll().execute());
        const secret = device.device_code.split('.')[1]!;
        assert.ok(rows.includes(device.device_code.split('.')[0]!), 'the row is there, found by id');
        assert.ok(!rows.includes(secret), 'device code secret stored in clear');
        assert.ok(!rows.includes(device.user_code) && !rows.includes(device.user_code.replace('-', '')), 'user code stored in clear');
      });

      test('accepts client_id alone from a confidential app, and a right secret; a wrong secret is invalid_client 401', async () => {
        assert.ok(client.clientSecret !== undefined);
        assert.match((await requestDevice(server.url, clientParams(client))).user_code, USER_CODE);
        const wrong = await call(server.url, '/oauth/2.0/device/code', { client_id: client.clientId, client_secret: 'not-the-secret' });
        assert.equal(wrong.status, 401);
        assert.equal(wrong.json['error'], 'invalid_client');
        const unknown = await call(server.url, '/oauth/2.0/device/code', { client_id: 'no-such-app' });
        assert.equal(unknown.status, 401);
        assert.equal(unknown.json['error'], 'invalid_client');
      });

      test('rejects a missing client_id with invalid_request naming it', async () => {
        assert.match(errorOf(await call(server.url, '/oauth/2.0/device/code', {}), 'invalid_request'), /client_id/);
      });

      test('rejects response_type other than device_code with unsupported_response_type', async () => {
        const response = await call(server.url, '/oauth/2.0/device/code', { client_id: client.clientId, response_type: 'code' });
        assert.match(errorOf(response, 'unsupported_response_type'), /response_type code/);
      });

      test('rejects an app that has not enabled the device grant with unauthorized_client, at the device and token endpoints', async () => {
        const noDevice = await server.createApp({ grantTypes: ['authorization_code', 'refresh_token'] });
        assert.match(errorOf(await call(server.url, '/oauth/2.0/device/code', { client_id: noDevice.clientId }), 'unauthorized_client'), /device_code/);
        for (const dialect of DIALECTS) {
          errorOf(await poll(server.url, dialect, '1.' + 'a'.repeat(43), clientParams(noDevice)), 'unauthorized_client');
        }
      });

      test('rejects an unknown scope, and one the app may not have, with invalid_scope', async () => {
        assert.match(errorOf(await call(server.url, '/oauth/2.0/device/code', { client_id: client.clientId, scope: 'no_such_scope' }), 'invalid_scope'), /no_such_scope/);
        const basicOnly = await server.createApp({ scopes: ['basic'] });
        assert.match(errorOf(await call(server.url, '/oauth/2.0/device/code', { client_id: basicOnly.clientId, scope: 'basic,email' }), 'invalid_scope'), /email/);
      });
    });

    for (const dialect of DIALECTS) {
      describe(`polling, ${dialect.name} dialect (grant_type=${dialect.grantType}, ${dialect.parameter}=)`, () => {
        test('pending, then approved on the page, then one token pair; the spent code is invalid_grant', async () => {
          const device = await requestDevice(server.url, { client_id: client.clientId, scope: 'basic email' });
          assert.match(errorOf(await poll(server.url, dialect, device.device_code, clientParams(client)), 'authorization_pending'), /not yet approved/);

          const done = await visitDevicePage(server.url, device.user_code, person);
          assert.equal(done.status, 200);
          assert.match(done.body, /Device connected/);

          clock.advance(5);
          const granted = await poll(server.url, dialect, device.device_code, clientParams(client));
          assert.equal(granted.status, 200, JSON.stringify(granted.json));
          assert.equal(granted.headers.get('cache-control'), 'no-store');
          assert.equal(granted.headers.get('pragma'), 'no-cache');
          assert.deepEqual(Object.keys(granted.json).sort(), ['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type']);
          assert.equal(granted.json['token_type'], 'Bearer');
          assert.equal(granted.json['scope'], 'basic email');
          assert.equal(granted.json['expires_in'], 2_592_000);

          // The token is the person's: tokeninfo names them.
          const info = await call(server.url, '/oauth/2.0/tokeninfo', { access_token: String(granted.json['access_token']) });
          assert.equal(info.json['userid'], person.uid);
          assert.equal(info.json['client_id'], client.clientId);

          clock.advance(5);
          assert.match(errorOf(await poll(server.url, dialect, device.device_code, clientParams(client)), 'invalid_grant'), new RegExp(`${dialect.parameter} has already been exchanged`));
        });

        test(`pending, then declined on the page: ${dialect.declined}`, async () => {
          const device = await requestDevice(server.url, { client_id: client.clientId });
          errorOf(await poll(server.url, dialect, device.device_code, clientParams(client)), 'authorization_pending');
          const done = await visitDevicePage(server.url, device.user_code, person, 'deny');
          assert.match(done.body, /Access declined/);
          clock.advance(5);
          errorOf(await poll(server.url, dialect, device.device_code, clientParams(client)), dialect.declined);
        });

        test('slow_down for a poll within the interval, then the raised interval (+5 s) is what counts', async () => {
          const device = await requestDevice(server.url, { client_id: client.clientId });
          const credentials = clientParams(client);
          errorOf(await poll(server.url, dialect, device.device_code, credentials), 'authorization_pending');
          clock.advance(1);
          assert.match(errorOf(await poll(server.url, dialect, device.device_code, credentials), 'slow_down'), /at least 10 seconds/);
          // 10 s after the slowed poll: passes.
          clock.advance(10);
          errorOf(await poll(server.url, dialect, device.device_code, credentials), 'authorization_pending');
          // 9 s later: enough for the advertised 5 s, not for the raised 10 s.
          clock.advance(9);
          assert.match(errorOf(await poll(server.url, dialect, device.device_code, credentials), 'slow_down'), /at least 15 seconds/);
        });

        test('expired_token once the device code outlives its 1800 s, and the page no longer takes its user code', async () => {
          const device = await requestDevice(server.url, { client_id: client.clientId });
          clock.advance(1800);
          assert.match(errorOf(await poll(server.url, dialect, device.device_code, clientParams(client)), 'expired_token'), new RegExp(`${dialect.parameter} has expired`));
          const page = await visitDevicePage(server.url, device.user_code, person);
          assert.match(page.body, /not right or has expired/);
          assert.match(page.body, /name="user_code"/);
        });

        test('invalid_grant for an unknown, malformed or forged device code, and for another app\'s', async () => {
          const credentials = clientParams(client);
          for (const presented of ['nonsense', `999.${'A'.repeat(43)}`]) {
            assert.match(errorOf(await poll(server.url, dialect, presented, credentials), 'invalid_grant'), new RegExp(`${dialect.parameter} is unknown`));
          }
          const device = await requestDevice(server.url, { client_id: client.clientId });
          const forged = `${device.device_code.split('.')[0]}.${'B'.repeat(43)}`;
          assert.match(errorOf(await poll(server.url, dialect, forged, credentials), 'invalid_grant'), /is unknown/);
          const other = await server.createApp();
          assert.match(errorOf(await poll(server.url, dialect, device.device_code, clientParams(other)), 'invalid_grant'), /another app/);
        });

        test(`invalid_request when ${dialect.parameter} is missing`, async () => {
          const response = await call(server.url, '/oauth/2.0/token', { grant_type: dialect.grantType, ...clientParams(client) });
          assert.match(errorOf(response, 'invalid_request'), new RegExp(`missing required parameter ${dialect.parameter}`));
        });
      });
    }

    test('ignores parameters a poll does not use, such as scope (SPEC §4, RFC 6749 §3.1)', async () => {
      const device = await requestDevice(server.url, { client_id: client.clientId });
      const response = await poll(server.url, DIALECTS[1], device.device_code, { ...clientParams(client), scope: 'basic', foo: 'bar' });
      assert.equal(response.json['error'], 'authorization_pending');
    });

    describe('client authentication and refresh tokens', () => {
      test('a confidential app must authenticate when it polls: invalid_client 401 without its secret', async () => {
        const device = await requestDevice(server.url, { client_id: client.clientId });
        const response = await poll(server.url, DIALECTS[0], device.device_code, { client_id: client.clientId });
        assert.equal(response.status, 401);
        assert.equal(response.json['error'], 'invalid_client');
      });

      test('a public app completes the flow with client_id alone, and gets no refresh token when refresh_token is disabled', async () => {
        const tv = await server.createApp({ isPublic: true, grantTypes: ['device_code'] });
        assert.equal(tv.clientSecret, undefined);
        const device = await requestDevice(server.url, { client_id: tv.clientId });
        await visitDevicePage(server.url, device.user_code, person);
        const granted = await poll(server.url, DIALECTS[1], device.device_code, { client_id: tv.clientId });
        assert.equal(granted.status, 200, JSON.stringify(granted.json));
        assert.equal(granted.json['refresh_token'], undefined);
        assert.equal(granted.json['token_type'], 'Bearer');
      });

      test('the refresh token from the device grant refreshes', async () => {
        const device = await requestDevice(server.url, { client_id: client.clientId });
        await visitDevicePage(server.url, device.user_code, person);
        const granted = await poll(server.url, DIALECTS[0], device.device_code, clientParams(client));
        const refreshed = await call(server.url, '/oauth/2.0/token', { grant_type: 'refresh_token', refresh_token: String(granted.json['refresh_token']), ...clientParams(client) });
        assert.equal(refreshed.status, 200, JSON.stringify(refreshed.json));
        assert.equal(refreshed.json['scope'], 'basic');
      });
    });
  });
}

deviceFlowSuite('SQLite');
withPostgres('device flow over HTTP (PostgreSQL)', (base) => deviceFlowSuite('PostgreSQL', base));
