import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { authorize, Browser, redirectParams } from '../helpers/browserless-flow.js';
import { startServer, type TestServer } from '../helpers/server.js';

/** SPEC §4, authorize endpoint: a page (never a redirect) until the app and redirect_uri are trusted. */
describe('authorization endpoint: errors', () => {
  let server: TestServer;
  let clientId: string;
  let disabledId: string;
  let publicId: string;
  let person: { username: string; password: string };
  const redirectUri = 'https://app.example.com/cb';

  before(async () => {
    server = await startServer();
    ({ clientId } = await server.createApp({ rootDomain: 'example.co.uk', redirectUris: [] }));
    const disabled = await server.createApp();
    disabledId = disabled.clientId;
    await server.instance.services.stores.apps.updateApp(disabledId, { disabled: true });
    ({ clientId: publicId } = await server.createApp({ isPublic: true, redirectUris: [redirectUri] }));
    person = await server.createUser();
  });
  after(() => server.close());

  async function errorPage(query: Record<string, string>, headers: Record<string, string> = {}) {
    const response = await fetch(`${server.url}/oauth/2.0/authorize?${new URLSearchParams(query)}`, { redirect: 'manual', headers });
    return { response, body: await response.text() };
  }

  const pageCases: Array<[string, () => Record<string, string>, string, RegExp, Record<string, string>?]> = [
    ['a missing client_id', () => ({ response_type: 'code', redirect_uri: 'https://a.example.co.uk/cb' }), 'invalid_request', /client_id/],
    ['a repeated client_id', () => ({}), 'invalid_request', /client_id/],
    ['an unknown client_id', () => ({ response_type: 'code', client_id: 'nobody', redirect_uri: 'https://a.example.co.uk/cb' }), 'invalid_client', /unknown client_id/],
    ['a disabled app', () => ({ response_type: 'code', client_id: disabledId, redirect_uri: 'https://app.example.com/cb' }), 'invalid_client', /disabled/],
    ['a missing redirect_uri', () => ({ response_type: 'code', client_id: clientId }), 'invalid_request', /redirect_uri/],
    ['a relative redirect_uri', () => ({ response_type: 'code', client_id: clientId, redirect_uri: '/cb' }), 'invalid_request', /absolute/],
    ['a redirect_uri with a fragment', () => ({ response_type: 'code', client_id: clientId, redirect_uri: 'https://a.example.co.uk/cb#x' }), 'invalid_request', /fragment/],
    ['a javascript: redirect_uri', () => ({ response_type: 'code', client_id: clientId, redirect_uri: 'javascript:alert(1)' }), 'invalid_request', /scheme/],
    ['a plain http redirect_uri', () => ({ response_type: 'code', client_id: clientId, redirect_uri: 'http://a.example.co.uk/cb' }), 'invalid_request', /https/],
    ['a redirect_uri under another root domain', () => ({ response_type: 'code', client_id: clientId, redirect_uri: 'https://example.co.uk.evil.com/cb' }), 'redirect_uri_mismatch', /root domain/],
    ['a redirect_uri on the public suffix itself', () => ({ response_type: 'code', client_id: clientId, redirect_uri: 'https://other.co.uk/cb' }), 'redirect_uri_mismatch', /root domain/],
    ['a redirect_uri outside the exact list', () => ({ response_type: 'code', client_id: publicId, redirect_uri: 'https://app.example.com/other' }), 'redirect_uri_mismatch', /list/],
    [
      'an implicit request whose Referer is another root domain',
      () => ({ response_type: 'token', client_id: clientId, redirect_uri: 'https://a.example.co.uk/cb' }),
      'invalid_referer',
      /Referer/,
      { referer: 'https://evil.com/page' },
    ],
  ];

  for (const [what, query, code, description, headers] of pageCases) {
    test(`shows ${code} on a page, never redirecting, for ${what}`, async () => {
      const params = query();
      const url =
        what === 'a repeated client_id'
          ? `${server.url}/oauth/2.0/authorize?response_type=code&client_id=${clientId}&client_id=${clientId}&redirect_uri=https%3A%2F%2Fa.example.co.uk%2Fcb`
          : undefined;
      const { response, body } = url
        ? await fetch(url, { redirect: 'manual' }).then(async (r) => ({ response: r, body: await r.text() }))
        : await errorPage(params, headers);
      assert.equal(response.status, 400);
      assert.equal(response.headers.get('location'), null);
      assert.match(response.headers.get('content-type')!, /^text\/html; charset=utf-8/);
      assert.equal(response.headers.get('cache-control'), 'no-store');
      assert.ok(body.includes(`data-error-code="${code}"`), body.slice(0, 500));
      assert.match(body, description);
    });
  }

  test('accepts a redirect_uri under a multi-label public suffix (a.b.example.co.uk for example.co.uk)', async () => {
    const browser = new Browser(server.url);
    const final = await authorize(browser, { response_type: 'code', client_id: clientId, redirect_uri: 'https://a.b.example.co.uk/cb' }, person);
    assert.equal(final.status, 302);
    assert.ok(final.location!.startsWith('https://a.b.example.co.uk/cb?code='));
  });

  test('accepts an implicit request whose Referer is under the root domain', async () => {
    const { response } = await errorPage(
      { response_type: 'token', client_id: clientId, redirect_uri: 'https://a.example.co.uk/cb' },
      { referer: 'https://www.example.co.uk/start' },
    );
    assert.equal(response.status, 200);
  });

  const redirectCases: Array<[string, Record<string, string>, string, 'query' | 'fragment']> = [
    ['an unsupported response_type', { response_type: 'code_and_more' }, 'unsupported_response_type', 'query'],
    ['a missing response_type', {}, 'invalid_request', 'query'],
    ['an unknown scope', { response_type: 'code', scope: 'basic admin' }, 'invalid_scope', 'query'],
    ['a scope the app may not request (implicit: in the fragment)', { response_type: 'token', scope: 'email' }, 'invalid_scope', 'fragment'],
    ['an unsupported code_challenge_method', { response_type: 'code', code_challenge: 'a'.repeat(43), code_challenge_method: 'S512' }, 'invalid_request', 'query'],
  ];
  for (const [what, extra, code, where] of redirectCases) {
    test(`redirects ${code} back with state in the ${where} for ${what}`, async () => {
      const { response } = await errorPage({ client_id: clientId, redirect_uri: 'https://a.example.co.uk/cb', state: '<script>x</script>', ...extra });
      assert.equal(response.status, 302);
      const location = response.headers.get('location')!;
      assert.ok(location.startsWith('https://a.example.co.uk/cb'));
      const back = redirectParams(location, where);
      assert.equal(back.get('error'), code);
      assert.equal(back.get('state'), '<script>x</script>');
      assert.ok(back.get('error_description'));
      assert.equal(back.get('error_uri'), `${server.url}/oauth/2.0/errors/${code}`);
      if (where === 'fragment') assert.equal(new URL(location).search, '');
    });
  }

  test('a public app asking for a code without PKCE gets invalid_request back at its redirect_uri', async () => {
    const { response } = await errorPage({ response_type: 'code', client_id: publicId, redirect_uri: redirectUri, state: 's' });
    assert.equal(response.status, 302);
    const back = redirectParams(response.headers.get('location')!);
    assert.equal(back.get('error'), 'invalid_request');
    assert.match(back.get('error_description')!, /code_challenge/);
  });

  test('an app that disabled response_type=token gets unsupported_response_type', async () => {
    const { clientId: codeOnly } = await server.createApp({ responseTypes: ['code'] });
    const { response } = await errorPage({ response_type: 'token', client_id: codeOnly, redirect_uri: 'https://app.example.com/cb' });
    assert.equal(response.status, 302);
    assert.equal(redirectParams(response.headers.get('location')!, 'fragment').get('error'), 'unsupported_response_type');
  });

  test('errors with redirect_uri=oob land on /oauth/2.0/login_success', async () => {
    const { response } = await errorPage({ response_type: 'code', client_id: clientId, redirect_uri: 'oob', scope: 'nope' });
    assert.equal(response.status, 302);
    const location = new URL(response.headers.get('location')!);
    assert.equal(location.pathname, '/oauth/2.0/login_success');
    assert.equal(location.searchParams.get('error'), 'invalid_scope');
  });

  test('escapes markup reflected from the request on the error page', async () => {
    const { body } = await errorPage({ response_type: 'code', client_id: '<script>alert(1)</script>', redirect_uri: 'https://a.example.co.uk/cb' });
    assert.ok(!body.includes('<script>alert(1)</script>'));
    assert.ok(body.includes('&lt;script>alert(1)&lt;/script>'));
  });

  test('a form body that is not form-encoded gets an invalid_request page', async () => {
    const response = await fetch(`${server.url}/oauth/2.0/authorize`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', redirect: 'manual' });
    assert.equal(response.status, 400);
    assert.ok((await response.text()).includes('data-error-code="invalid_request"'));
  });
});
