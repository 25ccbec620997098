/**
 * response_mode=form_post (OAuth 2.0 Form Post Response Mode; SPEC §7): a 200
 * page whose form posts the response to the redirect_uri, every value
 * escaped, usable by a plain HTTP client (no script).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { authorize, Browser, decodeEntities, type PageResponse } from '../helpers/browserless-flow.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { startServer, type TestServer } from '../helpers/server.js';

const HOSTILE_STATE = '"><script>alert(1)</script>&x=\'';

/** The page's form: its action and its hidden fields, in order, decoded. */
function formOf(page: PageResponse): { action: string; fields: [string, string][] } {
  const form = /<form method="post" action="([^"]*)" data-auto-submit(?:="true")?>([\s\S]*?)<\/form>/.exec(page.body);
  assert.ok(form, page.body.slice(0, 500));
  const fields: [string, string][] = [];
  for (const input of form[2]!.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)"\/?>/g)) fields.push([decodeEntities(input[1]!), decodeEntities(input[2]!)]);
  return { action: decodeEntities(form[1]!), fields };
}

describe('authorize: response_mode=form_post', () => {
  let server: TestServer;
  let receiver: Receiver;
  let clientId: string;
  let person: { username: string; password: string; uid: string };

  before(async () => {
    server = await startServer();
    receiver = await startReceiver();
    ({ clientId } = await server.createApp({ redirectUris: [receiver.url], scopes: ['basic', 'openid', 'profile'] }));
    person = await server.createUser();
  });
  after(async () => {
    await receiver.close();
    await server.close();
  });

  const params = (extra: Record<string, string>) => ({ client_id: clientId, redirect_uri: receiver.url, response_mode: 'form_post', ...extra });

  function assertFormPostPage(page: PageResponse): void {
    assert.equal(page.status, 200, page.body.slice(0, 300));
    assert.equal(page.location, null);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(page.headers.get('cache-control'), 'no-store');
    assert.equal(page.headers.get('pragma'), 'no-cache');
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    const csp = page.headers.get('content-security-policy')!;
    // form-action is not restricted (it does not fall back to default-src): the form may post to the app.
    assert.doesNotMatch(csp, /form-action/);
    assert.match(csp, /script-src 'self'/);
    assert.match(page.body, /<script src="\/static\/form-post\.js"><\/script>/);
    assert.match(page.body, /<button type="submit">Continue to the app<\/button>/, 'a button that works without script');
    assert.ok(!page.body.includes('<script>alert(1)'), 'state is escaped');
  }

  test('a code: the form posts code, state and iss to the redirect_uri, escaped, and a plain client can post it', async () => {
    const browser = new Browser(server.url);
    const page = await authorize(browser, params({ response_type: 'code', state: HOSTILE_STATE }), person);
    assertFormPostPage(page);
    const form = formOf(page);
    assert.equal(form.action, receiver.url);
    assert.deepEqual(form.fields.map(([name]) => name), ['code', 'state', 'iss']);
    assert.match(form.fields[0]![1], /^\d+\.[A-Za-z0-9_-]{43}$/);
    assert.equal(form.fields[1]![1], HOSTILE_STATE);
    assert.equal(form.fields[2]![1], server.url);
    assert.match(page.body, /value="&quot;>&lt;script>alert\(1\)&lt;\/script>&amp;x='"/);

    // A client without script reads the form and posts it, as the button would.
    const posted = await browser.submit(page, {});
    assert.equal(posted.status, 200);
    const body = await receiver.next();
    assert.deepEqual([...body.keys()], ['code', 'state', 'iss']);
    assert.equal(body.get('state'), HOSTILE_STATE);
    assert.equal(body.get('iss'), server.url);
    assert.equal(body.get('code'), form.fields[0]![1]);
  });

  test('an error goes back by form post too, with state and iss', async () => {
    const page = await new Browser(server.url).request(`/oauth/2.0/authorize?${new URLSearchParams(params({ response_type: 'code', scope: 'nope', state: 'e1' }))}`);
    assertFormPostPage(page);
    const form = formOf(page);
    assert.equal(form.action, receiver.url);
    assert.deepEqual(Object.fromEntries(form.fields), {
      error: 'invalid_scope',
      error_description: 'scope nope is unknown to this server',
      error_uri: `${server.url}/oauth/2.0/errors/invalid_scope`,
      state: 'e1',
      iss: server.url,
    });
  });

  test('prompt=none without a session: login_required by form post', async () => {
    const page = await new Browser(server.url).request(`/oauth/2.0/authorize?${new URLSearchParams(params({ response_type: 'code', prompt: 'none', state: 'e2' }))}`);
    assertFormPostPage(page);
    assert.equal(Object.fromEntries(formOf(page).fields)['error'], 'login_required');
  });

  test('"id_token token": access token, id_token, state and iss by form post', async () => {
    const page = await authorize(new Browser(server.url), params({ response_type: 'id_token token', scope: 'openid profile', nonce: 'fp-nonce', state: 's' }), person);
    assertFormPostPage(page);
    const names = formOf(page).fields.map(([name]) => name);
    assert.deepEqual(names, ['access_token', 'token_type', 'expires_in', 'scope', 'id_token', 'state', 'iss']);
  });

  test('redirect_uri=oob with form_post posts to the login_success page, which shows the code', async () => {
    const browser = new Browser(server.url);
    const page = await authorize(browser, { client_id: clientId, redirect_uri: 'oob', response_mode: 'form_post', response_type: 'code' }, person);
    assertFormPostPage(page);
    const form = formOf(page);
    assert.equal(form.action, `${server.url}/oauth/2.0/login_success`);
    const landed = await browser.submit(page, {});
    assert.equal(landed.status, 200);
    const code = Object.fromEntries(form.fields)['code']!;
    assert.ok(landed.body.includes(`data-code="${code}"`));
  });

  test('the submit script is served as JavaScript from /static', async () => {
    const response = await fetch(`${server.url}/static/form-post.js`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.match(await response.text(), /form\[data-auto-submit\]/);
  });
});
