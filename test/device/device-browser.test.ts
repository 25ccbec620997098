/**
 * The verification page in a real Chromium (Debian's, driven by
 * playwright-core): a person types the code in lower case without the dash,
 * signs in, approves; the device's next poll gets its tokens. Screenshots
 * go to test-artifacts/device-*.png.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { startServer, type TestServer } from '../helpers/server.js';
import { clientParams, DIALECTS, poll, requestDevice } from './helpers.js';

const ARTIFACTS = 'test-artifacts';

describe('device verification page in Chromium', () => {
  let server: TestServer;
  let browser: Browser;

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer({ env: { GATEHOUSE_DEVICE_POLL_INTERVAL: '1' } });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('lower-case code without the dash, sign in, approve: the device poll then gets tokens', async () => {
    const app = await server.createApp({ name: 'Living Room TV', scopes: ['basic', 'email'] });
    const person = await server.createUser();
    const device = await requestDevice(server.url, { client_id: app.clientId, response_type: 'device_code', scope: 'basic email' });
    const dialect = DIALECTS[0];
    assert.equal((await poll(server.url, dialect, device.device_code, clientParams(app))).json['error'], 'authorization_pending');

    const page = await browser.newPage({ viewport: { width: 900, height: 900 } });
    try {
      await page.goto(device.verification_uri);
      await page.fill('input[name="user_code"]', device.user_code.replace('-', '').toLowerCase());
      await page.screenshot({ path: `${ARTIFACTS}/device-code.png`, fullPage: true });
      await page.click('button[type="submit"]');

      await page.waitForSelector('input[name="password"]');
      await page.fill('input[name="username"]', person.username);
      await page.fill('input[name="password"]', person.password);
      await page.click('button[type="submit"]');

      await page.waitForSelector('button[name="decision"][value="approve"]');
      assert.equal(await page.textContent('[data-user-code]'), device.user_code);
      assert.match((await page.textContent('main'))!, /Living Room TV/);
      // The QR image loaded (it is served only for a pending code).
      const qrWidth = await page.$eval('main img', (img) => (img as HTMLImageElement).naturalWidth);
      assert.ok(qrWidth > 0, 'the QR code image loaded');
      await page.screenshot({ path: `${ARTIFACTS}/device-consent.png`, fullPage: true });
      await page.click('button[name="decision"][value="approve"]');

      await page.waitForSelector('text=Device connected');
      await page.screenshot({ path: `${ARTIFACTS}/device-approved.png`, fullPage: true });
    } finally {
      await page.close();
    }

    await new Promise((resolve) => setTimeout(resolve, 1000));
    const granted = await poll(server.url, dialect, device.device_code, clientParams(app));
    assert.equal(granted.status, 200, JSON.stringify(granted.json));
    assert.equal(granted.json['token_type'], 'Bearer');
    assert.equal(granted.json['scope'], 'basic email');
  });
});
