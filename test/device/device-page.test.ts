/**
 * The verification page (SPEC §6) and the QR code (SPEC §1), driven without a
 * browser: names, CSRF, the forgiving code input, consent always asked, a
 * wrong code re-rendering the form, and the images.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import QRCode from 'qrcode';
import { Browser } from '../helpers/browserless-flow.js';
import type { TestServer } from '../helpers/server.js';
import { clientParams, DIALECTS, poll, requestDevice, startClockedServer, visitDevicePage } from './helpers.js';

describe('the device verification page', () => {
  let server: TestServer;
  let client: { clientId: string; clientSecret: string | undefined };
  let person: { username: string; password: string; uid: string };

  before(async () => {
    ({ server } = await startClockedServer());
    client = await server.createApp({ name: 'Living Room TV', rootDomain: 'tv-maker.com', scopes: ['basic', 'email'] });
    person = await server.createUser();
  });
  after(() => server.close());

  test('shows the code form with input user_code, prefilled from ?code=, and a CSRF token, on both paths', async () => {
    for (const path of ['/oauth/2.0/device', '/device']) {
      const page = await new Browser(server.url).request(`${path}?code=BCDF-GHJK`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type')!, /^text\/html/);
      assert.equal(page.headers.get('x-frame-options'), 'DENY');
      assert.match(page.body, /<input[^>]*name="user_code"[^>]*value="BCDF-GHJK"/);
      assert.match(page.body, /name="csrf_token" value="[A-Za-z0-9_-]{43}"/);
      assert.match(page.body, new RegExp(`<form method="post" action="${path.replace(/\//g, '\\/')}"`));
    }
  });

  test('speaks Chinese by Accept-Language', async () => {
    const page = await new Browser(server.url).request('/device', { headers: { 'accept-language': 'zh-CN,zh;q=0.9' } });
    assert.match(page.body, /连接设备/);
    assert.match(page.body, /name="user_code"/);
  });

  test('refuses a form posted without the CSRF token with 403', async () => {
    const browser = new Browser(server.url);
    await browser.request('/oauth/2.0/device');
    const posted = await browser.request('/oauth/2.0/device', { form: { _step: 'code', user_code: 'BCDF-GHJK' } });
    assert.equal(posted.status, 403);
  });

  test('re-renders the form with a message for a wrong code, not an OAuth error page', async () => {
    const browser = new Browser(server.url);
    const page = await browser.submit(await browser.request('/oauth/2.0/device'), { user_code: 'BCDF-GHJK' });
    assert.equal(page.status, 200);
    assert.match(page.body, /<p class="error-box" role="alert">That code is not right or has expired/);
    assert.match(page.body, /<input[^>]*name="user_code"[^>]*value="BCDF-GHJK"/);
    assert.doesNotMatch(page.body, /data-error-code/);
  });

  test('takes the code in lower case without the dash, asks sign-in, then always consent with app, root domain, scopes, the code and its QR', async () => {
    const device = await requestDevice(server.url, { client_id: client.clientId, scope: 'basic,email' });
    const browser = new Browser(server.url);
    const typed = device.user_code.replace('-', '').toLowerCase();
    const signIn = await browser.submit(await browser.request('/device'), { user_code: typed });
    assert.match(signIn.body, /name="username"/);
    assert.match(signIn.body, /name="password"/);
    assert.match(signIn.body, new RegExp(`name="user_code" value="${device.user_code}"`));
    const consent = await browser.submit(signIn, { username: person.username, password: person.password });
    assert.equal(consent.status, 200);
    assert.match(consent.body, /Living Room TV/);
    assert.match(consent.body, /tv-maker\.com/);
    assert.match(consent.body, /data-scope="basic"/);
    assert.match(consent.body, /data-scope="email"/);
    assert.match(consent.body, /Your email address/);
    assert.match(consent.body, /name="decision" value="approve"/);
    assert.match(consent.body, /name="decision" value="deny"/);
    assert.match(consent.body, new RegExp(`data-user-code="${device.user_code}"`));
    assert.match(consent.body, new RegExp(`<img src="/oauth/2.0/qrcode\\?code=${device.user_code}&amp;format=svg"`));

    // Signed in already, with an approval behind them: consent is still asked (RFC 8628 §5.4).
    const again = await requestDevice(server.url, { client_id: client.clientId, scope: 'basic,email' });
    const second = await browser.submit(await browser.request('/device'), { user_code: again.user_code });
    assert.match(second.body, /name="decision" value="approve"/);
  });

  test('an answered code is not accepted again on the page', async () => {
    const device = await requestDevice(server.url, { client_id: client.clientId });
    await visitDevicePage(server.url, device.user_code, person);
    const again = await visitDevicePage(server.url, device.user_code, person);
    assert.match(again.body, /not right or has expired/);
  });

  describe('the QR code', () => {
    test('serves verification_uri_complete as SVG and as PNG (the default), uncached', async () => {
      const device = await requestDevice(server.url, { client_id: client.clientId });
      const svg = await fetch(`${device.qrcode_url}&format=svg`);
      assert.equal(svg.status, 200);
      assert.equal(svg.headers.get('content-type'), 'image/svg+xml');
      assert.equal(svg.headers.get('cache-control'), 'no-store');
      // The same library, same options, same text: the same picture.
      assert.equal(await svg.text(), await QRCode.toString(device.verification_uri_complete, { type: 'svg', margin: 2 }));
      const png = await fetch(device.qrcode_url);
      assert.equal(png.status, 200);
      assert.equal(png.headers.get('content-type'), 'image/png');
      const bytes = Buffer.from(await png.arrayBuffer());
      assert.deepEqual(bytes.subarray(0, 8), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      assert.deepEqual(bytes, await QRCode.toBuffer(device.verification_uri_complete, { type: 'png', margin: 2, width: 256 }));
    });

    test('answers 404 JSON for an unknown or answered code, and invalid_request for an unknown format', async () => {
      const unknown = await fetch(`${server.url}/oauth/2.0/qrcode?code=BCDF-GHJK`);
      assert.equal(unknown.status, 404);
      assert.match(unknown.headers.get('content-type')!, /^application\/json/);
      assert.equal(((await unknown.json()) as { error: string }).error, 'invalid_request');

      const device = await requestDevice(server.url, { client_id: client.clientId });
      await visitDevicePage(server.url, device.user_code, person);
      assert.equal((await fetch(device.qrcode_url)).status, 404);

      const gif = await fetch(`${device.qrcode_url}&format=gif`);
      assert.equal(gif.status, 400);
      assert.match(((await gif.json()) as { error_description: string }).error_description, /format gif/);
    });
  });

  test('a token reaches the device once the page approves it', async () => {
    const device = await requestDevice(server.url, { client_id: client.clientId });
    await visitDevicePage(server.url, device.user_code.toLowerCase(), person);
    const granted = await poll(server.url, DIALECTS[1], device.device_code, clientParams(client));
    assert.equal(granted.status, 200);
  });
});
