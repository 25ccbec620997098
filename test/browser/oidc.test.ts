/**
 * OpenID Connect pages in a real Chromium (Debian's, driven by playwright-core):
 * the consent page naming each scope's claims (en and zh-CN screenshots in
 * test-artifacts/oidc-consent-*.png), and response_mode=form_post submitting
 * itself to the app under the pages' CSP.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { startServer, type TestServer } from '../helpers/server.js';

const ARTIFACTS = 'test-artifacts';

describe('OpenID Connect pages in Chromium', () => {
  let server: TestServer;
  let receiver: Receiver;
  let browser: Browser;
  let clientId: string;
  let person: { uid: string; username: string; password: string };

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer();
    receiver = await startReceiver();
    ({ clientId } = await server.createApp({ name: 'Photo Print', redirectUris: [receiver.url], scopes: ['basic', 'email', 'openid', 'profile', 'offline_access'] }));
    person = await server.createUser('oidc_browser_person');
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  });
  after(async () => {
    await browser?.close();
    await receiver?.close();
    await server?.close();
  });

  async function withPage(locale: string, run: (page: Page) => Promise<void>): Promise<void> {
    const context = await browser.newContext({ viewport: { width: 900, height: 900 }, locale });
    try {
      await run(await context.newPage());
    } finally {
      await context.close();
    }
  }

  async function signIn(page: Page): Promise<void> {
    await page.fill('input[name="username"]', person.username);
    await page.fill('input[name="password"]', person.password);
    await page.click('form button[type="submit"]');
  }

  const url = (extra: Record<string, string>) =>
    `${server.url}/oauth/2.0/authorize?${new URLSearchParams({ client_id: clientId, redirect_uri: receiver.url, scope: 'openid profile email offline_access', ...extra })}`;

  for (const [lang, expected] of [
    ['en', { openid: 'Shares: your user id', profile: 'Shares: name, user name, picture, when your profile last changed', email: 'Shares: email address, whether it is verified' }],
    ['zh-CN', { openid: '共享: 你的用户 ID', profile: '共享: 姓名、用户名、头像、资料的更新时间', email: '共享: 电子邮箱地址、是否已验证' }],
  ] as const) {
    test(`the consent page names each scope's claims (${lang})`, async () => {
      await withPage(lang === 'en' ? 'en-US' : 'zh-CN', async (page) => {
        await page.goto(url({ response_type: 'code', lang, prompt: 'consent' }));
        await signIn(page);
        await page.waitForSelector('button[name="decision"][value="approve"]');
        for (const [scope, text] of Object.entries(expected)) {
          assert.equal((await page.textContent(`li[data-scope="${scope}"] .claims`))?.trim(), text, scope);
        }
        assert.equal(await page.getAttribute('li[data-scope="openid"] .claims', 'data-claims'), 'sub');
        assert.equal(await page.$('li[data-scope="offline_access"] .claims'), null, 'offline_access shares no claim');
        assert.equal(await page.getAttribute('html', 'lang'), lang);
        await page.screenshot({ path: `${ARTIFACTS}/oidc-consent-${lang}.png`, fullPage: true });
      });
    });
  }

  test('form_post: the page submits itself to the app, with the code, state and iss', async () => {
    await withPage('en-US', async (page) => {
      await page.goto(url({ response_type: 'code', response_mode: 'form_post', state: '"><script>alert(1)</script>' }));
      await signIn(page);
      await page.waitForSelector('button[name="decision"][value="approve"]');
      const arrival = receiver.next();
      await page.click('button[name="decision"][value="approve"]');
      const body = await arrival;
      await page.waitForSelector('#received');
      assert.equal(page.url(), receiver.url);
      assert.deepEqual([...body.keys()], ['code', 'state', 'iss']);
      assert.equal(body.get('state'), '"><script>alert(1)</script>');
      assert.equal(body.get('iss'), server.url);
      assert.match(body.get('code')!, /^\d+\.[A-Za-z0-9_-]{43}$/);
    });
  });

  test('form_post without script: the button posts the same form', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, locale: 'en-US' });
    try {
      const page = await context.newPage();
      await page.goto(url({ response_type: 'code', response_mode: 'form_post', state: 'no-js', prompt: 'consent' }));
      await signIn(page);
      await page.waitForSelector('button[name="decision"][value="approve"]');
      await page.click('button[name="decision"][value="approve"]');
      await page.waitForSelector('form[data-auto-submit] button[type="submit"]');
      const arrival = receiver.next();
      await page.click('form[data-auto-submit] button[type="submit"]');
      const body = await arrival;
      assert.equal(body.get('state'), 'no-js');
      assert.equal(body.get('iss'), server.url);
    } finally {
      await context.close();
    }
  });
});
