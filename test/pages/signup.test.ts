import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Browser } from '../helpers/browserless-flow.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { post } from './site.js';

describe('sign-up when GATEHOUSE_ALLOW_SIGNUP is off (the default)', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  test('there is no sign-up page and no link to it', async () => {
    const browser = new Browser(server.url);
    assert.equal((await browser.request('/signup')).status, 404);
    const posted = await browser.request('/signup', { form: { username: 'eve', password: 'long enough pw', password2: 'long enough pw' } });
    assert.equal(posted.status, 404);
    assert.equal(await server.instance.services.stores.users.countUsers(), 0);
    assert.ok(!(await browser.request('/login')).body.includes('href="/signup"'));
    assert.ok(!(await browser.request('/')).body.includes('href="/signup"'));
  });
});

describe('sign-up when GATEHOUSE_ALLOW_SIGNUP=1', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ env: { GATEHOUSE_ALLOW_SIGNUP: '1' } });
  });
  after(() => server.close());

  test('the sign-in page links to it', async () => {
    assert.match((await new Browser(server.url).request('/login')).body, /href="\/signup"/);
  });

  test('refuses differing passwords and a too-short one, in the person\'s language, creating nothing', async () => {
    const browser = new Browser(server.url);
    const form = await browser.request('/signup?lang=zh-CN');
    const differ = await post(browser, form, '/signup', { username: 'mei', password: 'long enough 1', password2: 'long enough 2' });
    assert.equal(differ.status, 400);
    assert.match(differ.body, /两次输入的密码不一致/);
    const short = await post(browser, differ, '/signup', { username: 'mei', password: 'short', password2: 'short' });
    assert.equal(short.status, 400);
    assert.match(short.body, /密码须为 8 到 200 个字符/);
    assert.match(short.body, /value="mei"/);
    assert.equal(await server.instance.services.stores.users.countUsers(), 0);
  });

  test('creates the account and signs the person in; the same username again is refused', async () => {
    const browser = new Browser(server.url);
    const form = await browser.request('/signup');
    const done = await post(browser, form, '/signup', { username: 'newcomer', password: 'long enough pw', password2: 'long enough pw' });
    assert.equal(done.status, 303);
    assert.equal(done.headers.get('location'), '/account');
    assert.ok(await server.instance.services.stores.users.findUserByUsername('newcomer'));
    assert.match((await browser.request('/account')).body, /newcomer/);
    const other = new Browser(server.url);
    const taken = await post(other, await other.request('/signup'), '/signup', { username: 'newcomer', password: 'another long pw', password2: 'another long pw' });
    assert.equal(taken.status, 400);
    assert.match(taken.body, /This username is taken/);
  });

  test('without the CSRF token nothing is created (403)', async () => {
    const browser = new Browser(server.url);
    await browser.request('/signup');
    const forged = await browser.request('/signup', { form: { username: 'forged', password: 'long enough pw', password2: 'long enough pw' } });
    assert.equal(forged.status, 403);
    assert.equal(await server.instance.services.stores.users.findUserByUsername('forged'), undefined);
  });
});
