/**
 * The logout confirmation page in a real Chromium (Debian's, through
 * playwright-core): a person signed in to an app is asked by the app to sign
 * out, confirms, and lands on the app's registered post_logout_redirect_uri
 * with state; the same page in Chinese (ui_locales) ends on the signed-out
 * page. Screenshots: test-artifacts/oidc-logout-{en,zh-CN}.png.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startServer, type TestServer } from '../helpers/server.js';

const ARTIFACTS = 'test-artifacts';

describe('logout confirmation in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let clientId: string;
  const BYE = 'https://app.example.com/bye';

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer();
    clientId = (await server.createApp({ name: 'Photo Printer', postLogoutRedirectUris: [BYE] })).clientId;
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Signs the person in to the app in `page` (the app's redirect itself is not loaded). */
  async function signInToApp(page: Page): Promise<void> {
    const person = await server.createUser();
    await page.context().route('https://app.example.com/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>app</title><h1>back at the app</h1>' }));
    await page.goto(`${server.url}/oauth/2.0/authorize?${new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: 'https://app.example.com/cb' })}`);
    await page.fill('input[name="username"]', person.username);
    await page.fill('input[name="password"]', person.password);
    await page.click('form button[type="submit"]');
    // A new person each time: consent is asked (it is remembered per user and app).
    await page.click('button[name="decision"][value="approve"]');
    await page.waitForURL(/^https:\/\/app\.example\.com\/cb\?/);
  }

  test('English: confirm, then the registered post_logout_redirect_uri with state', async () => {
    const context = await browser.newContext({ viewport: { width: 1000, height: 700 }, locale: 'en-US' });
    try {
      const page = await context.newPage();
      await signInToApp(page);
      await page.goto(`${server.url}/oauth/2.0/logout?${new URLSearchParams({ client_id: clientId, post_logout_redirect_uri: BYE, state: 'st-1' })}`);
      assert.equal(await page.textContent('h1'), 'Do you want to sign out?');
      assert.equal((await page.textContent('[data-app]'))?.trim(), 'Photo Printer asks to sign you out.');
      assert.ok(await page.isVisible('button[name="decision"][value="logout"]'));
      await page.screenshot({ path: `${ARTIFACTS}/oidc-logout-en.png`, fullPage: true });
      await page.click('button[name="decision"][value="logout"]');
      await page.waitForURL(`${BYE}?state=st-1`);
      const cookies = await context.cookies(server.url);
      assert.equal(cookies.find((cookie) => cookie.name === 'gh_session'), undefined, 'the session cookie is gone');
    } finally {
      await context.close();
    }
  });

  test('Chinese (ui_locales): confirm, then the signed-out page for an unregistered URI', async () => {
    const context = await browser.newContext({ viewport: { width: 1000, height: 700 }, locale: 'en-US' });
    try {
      const page = await context.newPage();
      await signInToApp(page);
      await page.goto(`${server.url}/oauth/2.0/logout?${new URLSearchParams({ client_id: clientId, post_logout_redirect_uri: 'https://evil.example.net/', ui_locales: 'zh-CN' })}`);
      assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
      assert.equal(await page.textContent('h1'), '确定要退出登录吗？');
      assert.equal((await page.textContent('button[name="decision"]'))?.trim(), '退出登录');
      await page.screenshot({ path: `${ARTIFACTS}/oidc-logout-zh-CN.png`, fullPage: true });
      await page.click('button[name="decision"][value="logout"]');
      await page.waitForSelector('[data-signed-out]');
      assert.equal(new URL(page.url()).origin, server.url, 'never sent off-site');
      assert.equal(await page.textContent('h1'), '已退出登录');
    } finally {
      await context.close();
    }
  });
});
