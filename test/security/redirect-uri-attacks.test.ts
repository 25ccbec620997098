/**
 * Odd redirect URIs at the authorize endpoint, end to end (RFC 9700 §4.1,
 * §4.11.2, SPEC §2, §4): the server shows an error page and never redirects
 * to an untrusted target; a target it trusts always reaches the browser as a
 * valid Location header (no header splitting, no 500).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { authorize, Browser } from '../helpers/browserless-flow.js';
import { startServer, type TestServer } from '../helpers/server.js';

describe('redirect_uri attacks at /oauth/2.0/authorize', () => {
  let server: TestServer;
  let clientId: string;
  let person: { username: string; password: string };

  before(async () => {
    server = await startServer();
    clientId = (await server.createApp({ rootDomain: 'example.com' })).clientId;
    person = await server.createUser();
  });
  after(() => server.close());

  const attempt = (redirectUri: string, extra: Record<string, string> = {}) =>
    fetch(`${server.url}/oauth/2.0/authorize?${new URLSearchParams({ client_id: clientId, response_type: 'code', state: 'st', redirect_uri: redirectUri, ...extra })}`, { redirect: 'manual' });

  const PAGE_ERRORS: [string, string][] = [
    ['https://example.com@evil.com/cb', 'invalid_request'],
    ['https://app.example.com:443@evil.com/cb', 'invalid_request'],
    ['https://evil.com#@app.example.com/cb', 'invalid_request'],
    ['https://app.example.com/cb#frag', 'invalid_request'],
    ['https://app.example.com./cb', 'redirect_uri_mismatch'],
    ['https://example.com.evil.com/cb', 'redirect_uri_mismatch'],
    ['https://evil.com\\@app.example.com/cb', 'redirect_uri_mismatch'],
    ['https://exаmple.com/cb', 'redirect_uri_mismatch'], // Cyrillic а: xn--exmple-4nf.com
    ['https://app.example.com/cb\r\nSet-Cookie: stolen=1', 'invalid_request'],
    ['https://app.example.com/c b', 'invalid_request'],
    ['https://app.example.com/cb\t', 'invalid_request'],
    ['javascript://app.example.com/%0aalert(1)', 'invalid_request'],
    ['//app.example.com/cb', 'invalid_request'],
    ['http://app.example.com/cb', 'invalid_request'],
  ];
  for (const [uri, code] of PAGE_ERRORS) {
    it(`shows a ${code} page, never a redirect, for redirect_uri ${JSON.stringify(uri)}`, async () => {
      const response = await attempt(uri);
      assert.equal(response.status, 400);
      assert.equal(response.headers.get('location'), null);
      assert.match(response.headers.get('content-type')!, /^text\/html/);
      assert.match(await response.text(), new RegExp(`data-error-code="${code}"`));
    });
  }

  it('does not act as an open redirector for an unknown client_id (RFC 9700 §4.11.2): a page, no Location', async () => {
    const response = await fetch(`${server.url}/oauth/2.0/authorize?client_id=nobody&response_type=code&redirect_uri=https%3A%2F%2Fevil.com%2F`, { redirect: 'manual' });
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('location'), null);
    assert.match(await response.text(), /data-error-code="invalid_client"/);
  });

  it('sends an error for a trusted IDN redirect_uri in ASCII (punycode) in the Location header', async () => {
    const response = await attempt('https://例え.example.com/回调', { response_type: 'bogus' });
    assert.equal(response.status, 302);
    const location = response.headers.get('location')!;
    assert.match(location, /^https:\/\/xn--r8jz45g\.example\.com\/%E5%9B%9E%E8%B0%83\?error=unsupported_response_type&/);
    // RFC 9207: the issuer follows state, exactly.
    assert.ok(location.endsWith(`&state=st&iss=${encodeURIComponent(server.url)}`), location);
  });

  it('completes the code flow for an IDN redirect_uri, the code landing on the punycode host', async () => {
    const final = await authorize(new Browser(server.url), { response_type: 'code', client_id: clientId, redirect_uri: 'https://例え.example.com/cb', state: 's' }, person);
    assert.equal(final.status, 302);
    assert.match(final.location!, /^https:\/\/xn--r8jz45g\.example\.com\/cb\?code=[0-9]+\.[A-Za-z0-9_-]{43}&state=s&iss=/);
    assert.equal(new URL(final.location!).searchParams.get('iss'), server.url);
  });

  it('accepts an upper-case host and any port under the root domain (Baidu rule; exact lists are the stricter option)', async () => {
    for (const uri of ['https://APP.EXAMPLE.COM/cb', 'https://app.example.com:8443/cb']) {
      const response = await attempt(uri, { response_type: 'bogus' });
      assert.equal(response.status, 302, uri);
      assert.ok(response.headers.get('location')!.startsWith(`${uri}?error=unsupported_response_type`), uri);
    }
  });

  it('with an exact list, refuses the same URI in another case or with a port', async () => {
    const strict = await server.createApp({ rootDomain: 'example.com', redirectUris: ['https://app.example.com/cb'] });
    for (const uri of ['https://APP.example.com/cb', 'https://app.example.com:8443/cb', 'https://app.example.com/cb/', 'https://app.example.com/cb?x=1']) {
      const response = await fetch(`${server.url}/oauth/2.0/authorize?${new URLSearchParams({ client_id: strict.clientId, response_type: 'code', redirect_uri: uri })}`, { redirect: 'manual' });
      assert.equal(response.status, 400, uri);
      assert.match(await response.text(), /data-error-code="redirect_uri_mismatch"/, uri);
    }
  });
});
