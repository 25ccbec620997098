/**
 * Guessing user codes (RFC 8628 §5.1, SPEC §3) and racing polls (SPEC §1).
 * Each suite has its own server: the limits are per client address, and every
 * request here comes from 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Browser } from '../helpers/browserless-flow.js';
import type { TestClock } from '../helpers/fixtures.js';
import type { TestServer } from '../helpers/server.js';
import { withPostgres } from '../storage/pg-suite.js';
import { clientParams, DIALECTS, poll, requestDevice, startClockedServer } from './helpers.js';

const WRONG = ['BCDF-GHJK', 'BCDF-GHJL', 'BCDF-GHJM', 'BCDF-GHJN', 'BCDF-GHJP', 'BCDF-GHJQ', 'BCDF-GHJR'];

describe('user code brute force', () => {
  let server: TestServer;
  let clock: TestClock;
  let client: { clientId: string; clientSecret: string | undefined };
  before(async () => {
    ({ server, clock } = await startClockedServer());
    client = await server.createApp();
  });
  after(() => server.close());

  test('the 6th wrong code within 10 minutes from one address gets 429 with Retry-After, and so does the right code then', async () => {
    const device = await requestDevice(server.url, { client_id: client.clientId });
    const browser = new Browser(server.url);
    const form = await browser.request('/oauth/2.0/device');
    const statuses: number[] = [];
    let last;
    for (const code of WRONG.slice(0, 6)) {
      last = await browser.submit(form, { user_code: code });
      statuses.push(last.status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
    const retryAfter = Number(last!.headers.get('retry-after'));
    assert.ok(retryAfter > 0 && retryAfter <= 600, `Retry-After ${retryAfter}`);
    assert.match(last!.body, /Too many attempts/);
    assert.match(last!.body, /name="user_code"/);

    const right = await browser.submit(form, { user_code: device.user_code });
    assert.equal(right.status, 429);
    // The QR endpoint answers whether a code exists: it is held to the same budget.
    const qr = await fetch(device.qrcode_url);
    assert.equal(qr.status, 429);
    assert.ok(Number(qr.headers.get('retry-after')) > 0);

    // The window ends: the right code works again.
    clock.advance(601);
    const later = await browser.submit(form, { user_code: device.user_code });
    assert.equal(later.status, 200);
    assert.match(later.body, /name="password"/);
  });
});

describe('one device code entered too often', () => {
  let server: TestServer;
  let client: { clientId: string; clientSecret: string | undefined };
  before(async () => {
    ({ server } = await startClockedServer());
    client = await server.createApp();
  });
  after(() => server.close());

  test('is locked with 429 after 10 entries within 10 minutes, wherever they come from', async () => {
    const device = await requestDevice(server.url, { client_id: client.clientId });
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const browser = new Browser(server.url);
      statuses.push((await browser.submit(await browser.request('/device'), { user_code: device.user_code })).status);
    }
    assert.deepEqual(statuses, [...Array(10).fill(200), 429]);
  });
});

function racingPolls(label: string, pgBase?: string) {
  describe(`racing polls (${label})`, () => {
    let server: TestServer;
    let client: { clientId: string; clientSecret: string | undefined };
    before(async () => {
      ({ server } = await startClockedServer(pgBase === undefined ? {} : { pgBase }));
      client = await server.createApp();
    });
    after(() => server.close());

    for (const count of [2, 10]) {
      test(`${count} simultaneous polls of one device code: exactly one passes the interval check, the rest get slow_down`, async () => {
        const device = await requestDevice(server.url, { client_id: client.clientId });
        const answers = await Promise.all(Array.from({ length: count }, (_, i) => poll(server.url, DIALECTS[i % 2]!, device.device_code, clientParams(client))));
        const errors = answers.map((answer) => answer.json['error']).sort();
        assert.deepEqual(errors, ['authorization_pending', ...Array(count - 1).fill('slow_down')]);
      });
    }
  });
}

racingPolls('SQLite');
withPostgres('racing polls (PostgreSQL)', (base) => racingPolls('PostgreSQL', base));
