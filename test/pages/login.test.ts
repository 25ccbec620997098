import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Browser } from '../helpers/browserless-flow.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { post, signedIn } from './site.js';

describe('the site sign-in and sign-out', () => {
  let server: TestServer;
  let person: { uid: string; username: string; password: string };
  before(async () => {
    server = await startServer();
    person = await server.createUser('login_person');
  });
  after(() => server.close());

  for (const [next, expected] of [
    ['/console/apps/new', '/console/apps/new'],
    ['//evil.example/x', '/'],
    ['/\\evil.example/x', '/'],
    ['https://evil.example/x', '/'],
  ] as const) {
    test(`after signing in, next=${next} leads to ${expected} (never another site)`, async () => {
      const browser = new Browser(server.url);
      const login = await browser.request(`/login?${new URLSearchParams({ next })}`);
      const done = await post(browser, login, '/login', { username: person.username, password: person.password });
      assert.equal(done.status, 303);
      assert.equal(done.headers.get('location'), expected);
    });
  }

  test('a wrong password re-renders the form with the message and signs nobody in', async () => {
    const browser = new Browser(server.url);
    const failed = await post(browser, await browser.request('/login'), '/login', { username: person.username, password: 'wrong password' });
    assert.equal(failed.status, 200);
    assert.match(failed.body, /<p class="error-box" role="alert">The username or password is not right.<\/p>/);
    assert.equal((await browser.request('/console')).status, 303);
  });

  test('signing out ends the session', async () => {
    const browser = await signedIn(server.url, person);
    const home = await browser.request('/');
    assert.match(home.body, /You are signed in as login_person/);
    const out = await post(browser, home, '/logout');
    assert.equal(out.status, 303);
    assert.equal(out.headers.get('location'), '/');
    assert.equal((await browser.request('/console')).status, 303);
    assert.equal((await browser.request('/logout')).status, 405);
  });
});
