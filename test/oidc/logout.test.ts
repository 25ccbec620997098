/**
 * RP-Initiated Logout 1.0 at /oauth/2.0/logout (SPEC §7 "Logout"): the
 * confirmation page, CSRF, the redirect to a registered
 * post_logout_redirect_uri with state and nowhere else, hints that do not
 * verify counting as no hint, and client_id disagreeing with the hint.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Browser } from '../helpers/browserless-flow.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { confirmationForm, foreignIdToken, hasSession, LOGOUT, ourIdToken, sessionSid, signInTo } from './logout-helpers.js';

describe('RP-initiated logout', () => {
  let server: TestServer;
  let person: { uid: string; username: string; password: string };
  let appId: string;
  let otherId: string;
  const BYE = 'https://app.example.com/bye';
  const OTHER_BYE = 'https://other.example.org/bye';

  before(async () => {
    server = await startServer();
    person = await server.createUser();
    appId = (await server.createApp({ name: 'Photo Printer', postLogoutRedirectUris: [BYE, 'https://app.example.com/bye?from=gh'] })).clientId;
    otherId = (await server.createApp({ name: 'Other', rootDomain: 'example.org', postLogoutRedirectUris: [OTHER_BYE] })).clientId;
  });
  after(() => server.close());

  async function signedIn(): Promise<Browser> {
    const browser = new Browser(server.url);
    await signInTo(browser, appId, person);
    return browser;
  }

  /** Opens the confirmation page for `params` and confirms it; returns both answers. */
  async function logout(browser: Browser, params: Record<string, string>) {
    const page = await browser.request(`${LOGOUT}?${new URLSearchParams(params)}`);
    assert.equal(page.status, 200, page.body.slice(0, 300));
    const { action, fields } = confirmationForm(page.body);
    const done = await browser.request(action, { form: { ...fields, decision: 'logout' } });
    return { page, done };
  }

  test('GET shows a confirmation form (CSRF token, decision=logout) naming the app, and changes nothing', async () => {
    const browser = await signedIn();
    const page = await browser.request(`${LOGOUT}?${new URLSearchParams({ client_id: appId, post_logout_redirect_uri: BYE, state: 's 1' })}`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type')!, /^text\/html/);
    assert.equal(page.headers.get('cache-control'), 'no-store');
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.match(page.body, /<form method="post" action="\/oauth\/2.0\/logout">/);
    assert.match(page.body, /<button type="submit" name="decision" value="logout">Sign out<\/button>/);
    assert.match(page.body, /Photo Printer asks to sign you out\./);
    assert.match(page.body, new RegExp(`You are signed in as ${person.username}\\.`));
    const { fields } = confirmationForm(page.body);
    assert.deepEqual({ ...fields, csrf_token: '-' }, { client_id: appId, post_logout_redirect_uri: BYE, state: 's 1', csrf_token: '-' });
    assert.match(fields['csrf_token']!, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(hasSession(browser), 'the GET ends nothing');
    assert.equal(page.location, null);
  });

  test('a confirmation without, or with a wrong, CSRF token answers 403 and ends nothing', async () => {
    const browser = await signedIn();
    const sid = sessionSid(browser);
    const stores = server.instance.services.stores;
    for (const csrf of [undefined, 'A'.repeat(43)]) {
      const form: Record<string, string> = { client_id: appId, post_logout_redirect_uri: BYE, state: 'x', decision: 'logout' };
      if (csrf !== undefined) form['csrf_token'] = csrf;
      const answer = await browser.request(LOGOUT, { form });
      assert.equal(answer.status, 403);
      assert.equal(answer.location, null);
      assert.ok(!answer.headers.getSetCookie().some((line) => line.startsWith('gh_session=')), 'the session cookie is not cleared');
      assert.ok(hasSession(browser));
    }
    assert.equal((await stores.sessionApps.listSessionApps(sid)).length, 1, 'the session still knows its app');
  });

  test('confirmed with a registered post_logout_redirect_uri: the session ends and the browser goes there (303) with state', async () => {
    const browser = await signedIn();
    const sid = sessionSid(browser);
    const { done } = await logout(browser, { client_id: appId, post_logout_redirect_uri: BYE, state: 'a b&c' });
    assert.equal(done.status, 303);
    assert.equal(done.location, 'https://app.example.com/bye?state=a%20b%26c');
    assert.ok(done.headers.getSetCookie().some((line) => /^gh_session=;.*Max-Age=0/i.test(line)), done.headers.getSetCookie().join(' | '));
    assert.equal(hasSession(browser), false);
    assert.deepEqual(await server.instance.services.stores.sessionApps.listSessionApps(sid), []);
    // The next visit is not signed in.
    const next = await browser.request(LOGOUT);
    assert.match(next.body, /You are not signed in\./);
  });

  test('a registered URI with a query keeps it and appends state; without state nothing is added', async () => {
    const one = await logout(await signedIn(), { client_id: appId, post_logout_redirect_uri: 'https://app.example.com/bye?from=gh', state: 'z' });
    assert.equal(one.done.location, 'https://app.example.com/bye?from=gh&state=z');
    const two = await logout(await signedIn(), { client_id: appId, post_logout_redirect_uri: BYE });
    assert.equal(two.done.location, BYE);
  });

  test('the app may be named by the id_token_hint alone (even an expired one)', async () => {
    const expired = await ourIdToken(server, appId, person.uid, { iat: 1_000_000, exp: 1_000_100 });
    const { page, done } = await logout(await signedIn(), { id_token_hint: expired, post_logout_redirect_uri: BYE, state: 'h' });
    assert.match(page.body, /Photo Printer asks to sign you out\./);
    assert.equal(done.location, `${BYE}?state=h`);
    const agreeing = await logout(await signedIn(), { id_token_hint: await ourIdToken(server, appId, person.uid), client_id: appId, post_logout_redirect_uri: BYE });
    assert.equal(agreeing.done.location, BYE);
  });

  for (const [label, uri] of [
    ['unregistered', 'https://evil.example.net/bye'],
    ["another app's", OTHER_BYE],
    ['a registered one with a fragment', `${BYE}#frag`],
    ['a registered one with another query', `${BYE}?x=1`],
    ['a registered one with a trailing slash', `${BYE}/`],
    ['a prefix of a registered one', 'https://app.example.com/by'],
    ['a registered one in other case', 'https://APP.example.com/bye'],
  ] as const) {
    test(`${label} post_logout_redirect_uri: after the same confirmation, the signed-out page, never a redirect`, async () => {
      const browser = await signedIn();
      const { done } = await logout(browser, { client_id: appId, post_logout_redirect_uri: uri, state: 'st' });
      assert.equal(done.status, 200);
      assert.equal(done.location, null);
      assert.match(done.body, /<h1>Signed out<\/h1>/);
      assert.ok(!done.body.includes(`href="${uri}`), 'the page does not link to the URI');
      assert.equal(hasSession(browser), false, 'the session ends all the same');
    });
  }

  test('a registered URI of no app named (no client_id, no hint) is not redirected to', async () => {
    const { done } = await logout(await signedIn(), { post_logout_redirect_uri: BYE, state: 'st' });
    assert.equal(done.status, 200);
    assert.equal(done.location, null);
  });

  for (const kind of ['of another issuer', 'forged with our kid', 'with an unknown kid', 'ours but naming another iss'] as const) {
    test(`a hint ${kind} counts as no hint: no app, no redirect, logout still works`, async () => {
      const hint =
        kind === 'of another issuer'
          ? await foreignIdToken(server, appId, person.uid, 'unknown', 'https://other-idp.example.com')
          : kind === 'forged with our kid'
            ? await foreignIdToken(server, appId, person.uid, 'ours')
            : kind === 'with an unknown kid'
              ? await foreignIdToken(server, appId, person.uid, 'unknown')
              : await ourIdToken(server, appId, person.uid, { iss: 'https://other-idp.example.com' });
      const browser = await signedIn();
      const { page, done } = await logout(browser, { id_token_hint: hint, post_logout_redirect_uri: BYE, state: 'st' });
      assert.doesNotMatch(page.body, /Photo Printer/);
      assert.equal(done.status, 200);
      assert.equal(done.location, null);
      assert.match(done.body, /Signed out/);
      assert.equal(hasSession(browser), false);
      // With client_id beside it, the app comes from client_id: a hint that does not verify is not a disagreement.
      const named = await logout(await signedIn(), { id_token_hint: hint, client_id: appId, post_logout_redirect_uri: BYE });
      assert.equal(named.done.location, BYE);
    });
  }

  test("client_id disagreeing with the hint's aud: an error page, never a redirect, nothing ends", async () => {
    const browser = await signedIn();
    const hint = await ourIdToken(server, otherId, person.uid);
    const params = { id_token_hint: hint, client_id: appId, post_logout_redirect_uri: BYE, state: 'st' };
    const page = await browser.request(`${LOGOUT}?${new URLSearchParams(params)}`);
    assert.equal(page.status, 400);
    assert.equal(page.location, null);
    assert.match(page.body, /data-error-code="invalid_request"/);
    assert.match(page.body, /client_id does not match the audience of id_token_hint/);
    const posted = await browser.request(LOGOUT, { form: { ...params, decision: 'logout' } });
    assert.equal(posted.status, 400);
    assert.equal(posted.location, null);
    assert.ok(hasSession(browser));
  });

  test('without a session: the same confirmation, then the signed-out page (or the registered redirect)', async () => {
    const browser = new Browser(server.url);
    const { page, done } = await logout(browser, { client_id: otherId });
    assert.match(page.body, /You are not signed in\./);
    assert.equal(done.status, 200);
    assert.match(done.body, /You are signed out\. You can close this page or go back to Other yourself\./);
    const redirected = await logout(new Browser(server.url), { client_id: otherId, post_logout_redirect_uri: OTHER_BYE, state: '1' });
    assert.equal(redirected.done.location, `${OTHER_BYE}?state=1`);
  });

  test('ui_locales picks Chinese for both pages; a POSTed logout request shows the confirmation too', async () => {
    const browser = await signedIn();
    const page = await browser.request(LOGOUT, { form: { client_id: appId, ui_locales: 'zh-CN en' } });
    assert.equal(page.status, 200);
    assert.match(page.body, /<html lang="zh-CN"/);
    assert.match(page.body, /Photo Printer 请求让你退出登录。/);
    assert.match(page.body, /<button type="submit" name="decision" value="logout">退出登录<\/button>/);
    const { action, fields } = confirmationForm(page.body);
    assert.equal(fields['ui_locales'], 'zh-CN en');
    const done = await browser.request(action, { form: { ...fields, decision: 'logout' } });
    assert.match(done.body, /<h1>已退出登录<\/h1>/);
  });

  test('the site\'s own sign-out ends the session for its apps too', async () => {
    const browser = await signedIn();
    const sid = sessionSid(browser);
    const account = await browser.request('/account');
    const csrf = /name="csrf_token" value="([^"]+)"/.exec(account.body)?.[1];
    assert.ok(csrf, 'the account page has a CSRF token');
    const out = await browser.request('/logout', { form: { csrf_token: csrf } });
    assert.equal(out.status, 303);
    assert.deepEqual(await server.instance.services.stores.sessionApps.listSessionApps(sid), []);
  });
});
