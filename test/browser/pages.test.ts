/**
 * The pages as a person uses them, in a real Chromium (Debian's, driven by
 * playwright-core): the code flow from sign-in to the app's redirect, the
 * developer console, the language switch, and an axe-core accessibility
 * check of the main pages. Every page is saved to test-artifacts/pages-*.png.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { announceFirstRun } from '../../src/first-run-link.js';
import { startServer, type TestServer } from '../helpers/server.js';

const ARTIFACTS = 'test-artifacts';
const AXE = 'node_modules/axe-core/axe.min.js';

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${ARTIFACTS}/pages-${name}.png`, fullPage: true });
}

/** axe-core in the page: no violation of serious or critical impact (labels, headings, contrast, landmarks…). */
async function assertAccessible(page: Page, what: string): Promise<void> {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
    const result = await axe.run();
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(serious, [], `${what}: ${JSON.stringify(serious)}`);
}

describe('pages in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let person: { uid: string; username: string; password: string };

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer();
    person = await server.createUser('browser_person');
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function withPage<T>(run: (page: Page, context: BrowserContext) => Promise<T>, options: { width?: number; height?: number; locale?: string } = {}): Promise<T> {
    // bypassCSP: our pages' CSP (script-src 'self') rightly refuses the injected axe-core script.
    const context = await browser.newContext({ viewport: { width: options.width ?? 1000, height: options.height ?? 800 }, locale: options.locale ?? 'en-US', bypassCSP: true });
    try {
      return await run(await context.newPage(), context);
    } finally {
      await context.close();
    }
  }

  async function signIn(page: Page): Promise<void> {
    await page.fill('input[name="username"]', person.username);
    await page.fill('input[name="password"]', person.password);
    await page.click('form button[type="submit"]');
  }

  test('home page, in both languages, is accessible', async () => {
    await withPage(async (page) => {
      await page.goto(`${server.url}/`);
      assert.equal(await page.textContent('h1'), 'Gatehouse');
      assert.ok(await page.isVisible('a[href="/.well-known/oauth-authorization-server"]'));
      await shot(page, 'home-en');
      await assertAccessible(page, 'home');
      await page.click('nav.langs a[lang="zh-CN"]');
      assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
      await shot(page, 'home-zh');
      await assertAccessible(page, 'home (zh-CN)');
    });
  });

  test('the code flow as a person does it: sign in, consent, land on the registered redirect URI with code and state', async () => {
    const { clientId, clientSecret } = await server.createApp({ name: 'Photo Printer', redirectUris: ['https://app.example.com/cb'], scopes: ['basic', 'email'] });
    await withPage(async (page) => {
      // The app's own page, answered in the browser: nothing leaves the machine.
      let landed: URL | undefined;
      await page.route('https://app.example.com/**', (route) => {
        landed = new URL(route.request().url());
        return route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>app</title><h1>Back at the app</h1>' });
      });
      const query = new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: 'https://app.example.com/cb', scope: 'basic email', state: 'xyz-123' });
      await page.goto(`${server.url}/oauth/2.0/authorize?${query}`);
      assert.match((await page.textContent('main'))!, /Sign in to continue to Photo Printer \(example\.com\)\./);
      await shot(page, 'signin-en');
      await assertAccessible(page, 'sign-in');
      await signIn(page);

      await page.waitForSelector('button[name="decision"][value="approve"]');
      assert.match((await page.textContent('h1'))!, /Allow Photo Printer to access your account\?/);
      assert.equal(await page.textContent('li[data-scope="email"]'), 'email — Your email address');
      await shot(page, 'consent-en');
      await assertAccessible(page, 'consent');
      await page.click('button[name="decision"][value="approve"]');
      await page.waitForURL('https://app.example.com/cb?**');
      assert.equal(await page.textContent('h1'), 'Back at the app');
      assert.equal(landed?.searchParams.get('state'), 'xyz-123');
      const code = landed!.searchParams.get('code')!;

      const token = await fetch(`${server.url}/oauth/2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: 'https://app.example.com/cb', client_id: clientId, client_secret: clientSecret! }),
      });
      assert.equal(token.status, 200);
      assert.equal(((await token.json()) as { scope: string }).scope, 'basic email');
    });
  });

  test('redirect_uri=oob: the code lands on login_success, in its title, with a copy button', async () => {
    const { clientId } = await server.createApp({ name: 'Command-line tool' });
    await withPage(async (page, context) => {
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
      await page.goto(`${server.url}/oauth/2.0/authorize?${new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: 'oob', display: 'popup' })}`);
      await signIn(page);
      await page.click('button[name="decision"][value="approve"]');
      await page.waitForURL('**/oauth/2.0/login_success?**');
      const code = await page.getAttribute('[data-code]', 'data-code');
      assert.match(code ?? '', /^\d+\.[A-Za-z0-9_-]{43}$/);
      assert.equal(await page.title(), code);
      await page.click('#copy');
      await page.waitForFunction(() => document.getElementById('copy')?.textContent === 'Copied');
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), code);
      await shot(page, 'login-success-en');
      await assertAccessible(page, 'login_success');
    });
  });

  test('error page for a live request, in both languages', async () => {
    const { clientId } = await server.createApp({ name: 'Misconfigured' });
    await withPage(async (page) => {
      const query = new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: 'https://evil.example.net/cb' });
      await page.goto(`${server.url}/oauth/2.0/authorize?${query}`);
      assert.equal(await page.getAttribute('[data-error-code]', 'data-error-code'), 'redirect_uri_mismatch');
      assert.equal(await page.textContent('[data-error-parameter]'), 'redirect_uri');
      await shot(page, 'error-en');
      await assertAccessible(page, 'error page');
      await page.click('nav.langs a[lang="zh-CN"]');
      assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
      assert.equal(await page.getAttribute('[data-error-code]', 'data-error-code'), 'redirect_uri_mismatch');
      assert.match((await page.textContent('h2'))!, /本次请求的问题/);
      await shot(page, 'error-zh');
      await page.goto(`${server.url}/oauth/2.0/errors`);
      assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN', 'the choice made on the error page is remembered');
      await shot(page, 'error-index-zh');
    });
  });

  test('console: register an app, see the Secret Key once, rotate it, and read the failure a bad redirect_uri caused', async () => {
    await withPage(async (page) => {
      await page.goto(`${server.url}/console`);
      await page.waitForURL('**/login?next=%2Fconsole');
      await shot(page, 'login-en');
      await signIn(page);
      await page.waitForURL('**/console');
      await shot(page, 'console-empty-en');
      await assertAccessible(page, 'console');

      await page.click('a[href="/console/apps/new"]');
      await page.fill('#name', 'Weather Widget');
      await page.fill('#root_domain', 'weather.example.org');
      await page.fill('#redirect_uris', 'https://app.weather.example.org/callback');
      await page.uncheck('#grant_types-device_code');
      await page.check('#scopes-email');
      await shot(page, 'console-new-app-en');
      await assertAccessible(page, 'new app form');
      await page.click('form.app-form button[type="submit"]');
      // A root domain must be registrable: the form comes back with the reason and what was typed.
      await page.waitForSelector('#input-error');
      assert.match((await page.textContent('#input-error'))!, /is not a registrable domain/);
      assert.equal(await page.inputValue('#name'), 'Weather Widget');
      await shot(page, 'console-new-app-refused-en');
      await page.fill('#root_domain', 'example.org');
      await page.click('form.app-form button[type="submit"]');

      await page.waitForSelector('#client-secret');
      const clientId = (await page.textContent('#client-id'))!;
      const secret = (await page.textContent('#client-secret'))!.trim();
      assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
      await shot(page, 'console-app-created-en');
      await assertAccessible(page, 'app page with secret');

      // Shown once: the app's page no longer has it.
      await page.goto(`${server.url}/console/apps/${clientId}`);
      assert.equal(await page.$('#client-secret'), null);
      assert.ok(!(await page.content()).includes(secret));

      await page.click('button:has-text("Rotate Secret Key")');
      await page.waitForSelector('#client-secret');
      const rotated = (await page.textContent('#client-secret'))!.trim();
      assert.notEqual(rotated, secret);

      // A developer's mistake: a redirect_uri outside the registered list.
      await page.goto(`${server.url}/oauth/2.0/authorize?${new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: 'https://weather.example.org/wrong' })}`);
      await shot(page, 'error-mismatch-en');
      assert.equal(await page.getAttribute('[data-error-code]', 'data-error-code'), 'redirect_uri_mismatch');
      await page.goto(`${server.url}/console/apps/${clientId}`);
      const row = page.locator('tr[data-failure-code="redirect_uri_mismatch"]');
      assert.equal(await row.count(), 1);
      assert.match((await row.textContent())!, /authorize/);
      assert.match((await row.textContent())!, /https:\/\/weather\.example\.org\/wrong/);
      await shot(page, 'console-app-failures-en');
      await assertAccessible(page, 'app page with failures');

      await page.click('nav.langs a[lang="zh-CN"]');
      assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
      assert.match((await page.textContent('main'))!, /最近的失败请求/);
      await shot(page, 'console-app-failures-zh');
      await page.goto(`${server.url}/console`);
      assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN', 'the cookie remembers the choice');
      assert.equal(await page.textContent('h1'), '开发者控制台');
      await shot(page, 'console-zh');
    });
  });

  test('account page after authorizing an app, and the consent page in Chinese on a phone', async () => {
    const { clientId } = await server.createApp({ name: '相册打印', redirectUris: ['https://app.example.com/cb'], scopes: ['basic', 'email'] });
    await withPage(
      async (page) => {
        await page.route('https://app.example.com/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>app</title>' }));
        const query = new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: 'https://app.example.com/cb', scope: 'basic email', display: 'mobile' });
        await page.goto(`${server.url}/oauth/2.0/authorize?${query}`);
        assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN', 'Accept-Language from the browser locale');
        await shot(page, 'signin-zh-mobile');
        await signIn(page);
        await page.waitForSelector('button[name="decision"][value="approve"]');
        assert.equal(await page.textContent('li[data-scope="email"]'), 'email — 你的电子邮箱地址');
        await shot(page, 'consent-zh-mobile');
        await assertAccessible(page, 'consent (zh-CN, mobile)');
        await page.click('button[name="decision"][value="approve"]');
        await page.waitForURL('https://app.example.com/cb?**');

        await page.goto(`${server.url}/account`);
        assert.match((await page.textContent('main'))!, /相册打印/);
        await shot(page, 'account-zh-mobile');
        await assertAccessible(page, 'account');
        await page.click(`li[data-client-id="${clientId}"] button[type="submit"]`);
        await page.waitForURL('**/account?revoked=**');
        assert.match((await page.textContent('[role="status"]'))!, /已撤销 相册打印 的授权/);
      },
      { width: 390, height: 844, locale: 'zh-CN' },
    );
  });
  test('a newcomer with a browser alone: setup link, first account, first app, the code flow from "Try the code flow"', async () => {
    const fresh = await startServer({ env: { GATEHOUSE_ALLOW_SIGNUP: '1' } });
    try {
      const link = (await announceFirstRun(fresh.instance, fresh.url, () => {}))!;
      await withPage(async (page) => {
        await page.goto(link);
        assert.equal(await page.textContent('h1'), 'Set up Gatehouse');
        await shot(page, 'setup-en');
        await assertAccessible(page, 'setup');
        await page.fill('#username', 'operator');
        await page.fill('#password', 'a long first password');
        await page.fill('#password2', 'a long first password');
        await page.click('form button[type="submit"]');
        await page.waitForURL('**/console');

        await page.click('a[href="/console/apps/new"]');
        await page.fill('#name', 'First App');
        await page.fill('#root_domain', 'example.com');
        await page.click('form.app-form button[type="submit"]');
        await page.waitForSelector('#client-secret');
        await page.click('a:has-text("Try the code flow")');
        await page.waitForSelector('button[name="decision"][value="approve"]');
        await page.click('button[name="decision"][value="approve"]');
        await page.waitForURL('**/oauth/2.0/login_success?**');
        assert.match((await page.getAttribute('[data-code]', 'data-code')) ?? '', /^\d+\./);

        // The link is dead now; sign-up is the way in for the next person.
        await page.goto(link);
        assert.match((await page.textContent('main'))!, /not valid or has already been used/);
        await page.goto(`${fresh.url}/signup?lang=zh-CN`);
        await shot(page, 'signup-zh');
        await assertAccessible(page, 'sign-up');
      });
    } finally {
      await fresh.close();
    }
  });
});
