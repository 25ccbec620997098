import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildRedirect, checkReferer, checkRedirectUri, normaliseRootDomain, OOB, registrableDomain } from '../../src/core/redirect.js';
import { throwsWith } from '../helpers/fixtures.js';

const strict = { allowHttp: false };
const lax = { allowHttp: true };
const app = (rootDomain = 'example.com', redirectUris: string[] = []) => ({ rootDomain, redirectUris });

describe('registrableDomain (Public Suffix List)', () => {
  it('maps a multi-label suffix host to its registrable domain', () => {
    assert.equal(registrableDomain('a.b.example.co.uk'), 'example.co.uk');
    assert.equal(registrableDomain('www.example.com'), 'example.com');
  });
  it('has none for a bare public suffix, an IP or a trailing dot', () => {
    assert.equal(registrableDomain('co.uk'), undefined);
    assert.equal(registrableDomain('127.0.0.1'), undefined);
    assert.equal(registrableDomain('example.com.'), undefined);
  });
  it('normalises a root domain to lower case and punycode, and refuses a subdomain', () => {
    assert.equal(normaliseRootDomain('Example.COM'), 'example.com');
    assert.equal(normaliseRootDomain('bücher.de'), 'xn--bcher-kva.de');
    assert.throws(() => normaliseRootDomain('www.example.com'), /registrable/);
    assert.throws(() => normaliseRootDomain('co.uk'), /registrable/);
  });
});

describe('checkRedirectUri: root-domain rule', () => {
  it('accepts any https host under the root domain, with a port and a query', () => {
    for (const uri of ['https://example.com/cb', 'https://a.b.example.com/cb', 'https://app.example.com:8443/cb?x=1']) {
      assert.equal(checkRedirectUri(uri, app(), strict), uri);
    }
  });
  it('accepts a deep host of a multi-label suffix domain (a.b.example.co.uk under example.co.uk)', () => {
    assert.equal(checkRedirectUri('https://a.b.example.co.uk/cb', app('example.co.uk'), strict), 'https://a.b.example.co.uk/cb');
  });
  it('rejects a sibling under the same public suffix with redirect_uri_mismatch', () => {
    throwsWith(() => checkRedirectUri('https://other.co.uk/cb', app('example.co.uk'), strict), 'redirect_uri_mismatch', /redirect_uri host other\.co\.uk/);
  });
  it('rejects example.com.evil.com, which only starts like the root domain', () => {
    throwsWith(() => checkRedirectUri('https://example.com.evil.com/cb', app(), strict), 'redirect_uri_mismatch', /redirect_uri host example\.com\.evil\.com/);
  });
  it('rejects evilexample.com, which only ends like the root domain', () => {
    throwsWith(() => checkRedirectUri('https://evilexample.com/cb', app(), strict), 'redirect_uri_mismatch', /redirect_uri/);
  });
  it('reads a backslash as browsers do: https://evil.com\\.example.com goes to evil.com', () => {
    throwsWith(() => checkRedirectUri('https://evil.com\\.example.com/cb', app(), strict), 'redirect_uri_mismatch', /redirect_uri host evil\.com /);
  });
  it('rejects https://example.com@evil.com (user info) with invalid_request', () => {
    throwsWith(() => checkRedirectUri('https://example.com@evil.com/cb', app(), strict), 'invalid_request', /redirect_uri.*user information/);
  });
  it('rejects a host with a trailing dot', () => {
    throwsWith(() => checkRedirectUri('https://app.example.com./cb', app(), strict), 'redirect_uri_mismatch', /redirect_uri host app\.example\.com\./);
  });
  it('compares IDN hosts in punycode, whichever form the client sends', () => {
    const idn = app('xn--bcher-kva.de');
    assert.equal(checkRedirectUri('https://shop.bücher.de/cb', idn, strict), 'https://shop.bücher.de/cb');
    assert.equal(checkRedirectUri('https://shop.xn--bcher-kva.de/cb', idn, strict), 'https://shop.xn--bcher-kva.de/cb');
    throwsWith(() => checkRedirectUri('https://shop.bucher.de/cb', idn, strict), 'redirect_uri_mismatch', /redirect_uri/);
  });
  it('treats an upper-case host as the same host', () => {
    assert.equal(checkRedirectUri('https://APP.Example.COM/cb', app(), strict), 'https://APP.Example.COM/cb');
  });
});

describe('checkRedirectUri: malformed URIs and forbidden schemes', () => {
  it('rejects a fragment with invalid_request', () => {
    throwsWith(() => checkRedirectUri('https://app.example.com/cb#x', app(), strict), 'invalid_request', /redirect_uri.*fragment/);
  });
  it('rejects relative URIs with invalid_request', () => {
    for (const uri of ['/cb', 'app.example.com/cb', '//app.example.com/cb']) {
      throwsWith(() => checkRedirectUri(uri, app(), strict), 'invalid_request', /redirect_uri must be an absolute URI/);
    }
  });
  it('rejects javascript:, data: and file: even when listed', () => {
    for (const uri of ['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'file:///etc/passwd']) {
      throwsWith(() => checkRedirectUri(uri, app('example.com', [uri]), strict), 'invalid_request', /redirect_uri scheme/);
    }
  });
  it('rejects plain http for a normal host with invalid_request', () => {
    throwsWith(() => checkRedirectUri('http://app.example.com/cb', app(), strict), 'invalid_request', /redirect_uri must use https/);
  });
  it('always accepts oob', () => {
    assert.equal(checkRedirectUri('oob', app('example.com', ['https://app.example.com/cb']), strict), OOB);
  });
});

describe('checkRedirectUri: loopback, custom schemes and the http policy', () => {
  const loopbackApp = app('example.com', ['http://127.0.0.1/cb', 'http://[::1]:9000/cb', 'http://localhost/cb']);
  it('accepts a listed loopback redirect on any port (RFC 8252 §7.3)', () => {
    for (const uri of ['http://127.0.0.1/cb', 'http://127.0.0.1:51234/cb', 'http://[::1]/cb', 'http://localhost:8080/cb']) {
      assert.equal(checkRedirectUri(uri, loopbackApp, strict), uri);
    }
  });
  it('rejects a loopback redirect whose path or host is not listed', () => {
    throwsWith(() => checkRedirectUri('http://127.0.0.1:5000/other', loopbackApp, strict), 'redirect_uri_mismatch', /loopback redirect_uri/);
    throwsWith(() => checkRedirectUri('http://localhost/cb', app('example.com', ['http://127.0.0.1/cb']), strict), 'redirect_uri_mismatch', /loopback redirect_uri/);
  });
  it('rejects a loopback redirect the app does not list, even with http allowed', () => {
    throwsWith(() => checkRedirectUri('http://127.0.0.1:8080/cb', app(), lax), 'redirect_uri_mismatch', /loopback redirect_uri/);
  });
  it('accepts a custom scheme only when listed exactly', () => {
    const native = app('example.com', ['com.example.app:/cb']);
    assert.equal(checkRedirectUri('com.example.app:/cb', native, strict), 'com.example.app:/cb');
    throwsWith(() => checkRedirectUri('com.example.app:/other', native, strict), 'redirect_uri_mismatch', /redirect_uri.*custom scheme/);
    throwsWith(() => checkRedirectUri('com.evil.app:/cb', app(), strict), 'redirect_uri_mismatch', /redirect_uri.*custom scheme/);
  });
  it('allows plain http under the root domain when GATEHOUSE_ALLOW_HTTP_REDIRECTS is set', () => {
    assert.equal(checkRedirectUri('http://app.example.com/cb', app(), lax), 'http://app.example.com/cb');
  });
  it('still holds the root-domain rule for plain http when it is allowed', () => {
    throwsWith(() => checkRedirectUri('http://evil.com/cb', app(), lax), 'redirect_uri_mismatch', /redirect_uri host evil\.com/);
  });
});

describe('checkRedirectUri: the exact list', () => {
  const listed = app('example.com', ['https://app.example.com/cb']);
  it('accepts a listed URI', () => {
    assert.equal(checkRedirectUri('https://app.example.com/cb', listed, strict), 'https://app.example.com/cb');
  });
  it('is stricter than the root domain: another path or host under it is rejected', () => {
    for (const uri of ['https://app.example.com/other', 'https://www.example.com/cb', 'https://app.example.com/cb?x=1']) {
      throwsWith(() => checkRedirectUri(uri, listed, strict), 'redirect_uri_mismatch', /redirect_uri .* is not in the app's list/);
    }
  });
});

describe('checkReferer', () => {
  const own = 'https://auth.gatehouse.test';
  it('allows no Referer, the server\'s own origin and hosts under the root domain', () => {
    checkReferer(undefined, app(), own);
    checkReferer('', app(), own);
    checkReferer('https://auth.gatehouse.test/oauth/2.0/authorize?x=1', app(), own);
    checkReferer('https://www.example.com/page', app(), own);
    checkReferer('https://a.b.example.co.uk/page', app('example.co.uk'), own);
  });
  it('rejects a Referer from another site with invalid_referer', () => {
    throwsWith(() => checkReferer('https://evil.com/page', app(), own), 'invalid_referer', /Referer host evil\.com/);
    throwsWith(() => checkReferer('https://example.com.evil.com/', app(), own), 'invalid_referer', /Referer host/);
  });
  it('rejects a Referer that is not an absolute URL', () => {
    throwsWith(() => checkReferer('/relative', app(), own), 'invalid_referer', /Referer header/);
  });
});

describe('buildRedirect', () => {
  it('keeps the redirect URI\'s own query and encodes values', () => {
    assert.equal(buildRedirect('https://a.example.com/cb?x=1', { code: 'c', state: '<s>&' }, 'query'), 'https://a.example.com/cb?x=1&code=c&state=%3Cs%3E%26');
  });
  it('puts parameters in the fragment and leaves out undefined ones', () => {
    assert.equal(buildRedirect('https://a.example.com/cb', { access_token: 't', state: undefined }, 'fragment'), 'https://a.example.com/cb#access_token=t');
  });
});
