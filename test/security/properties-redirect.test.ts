/**
 * Properties of the redirect_uri rules (SPEC §2, RFC 9700 §4.1, §4.11.2)
 * under generated URIs: whatever a client sends, the server never accepts a
 * redirect target outside the app's registrable domain, nor one carrying user
 * information or a fragment, and what it accepts can always go into a Location
 * header.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { OAuthError } from '../../src/core/errors.js';
import { buildRedirect, checkRedirectUri, registrableDomain } from '../../src/core/redirect.js';

const RUNS = { numRuns: 150, seed: 0x9700 };
const ROOTS = ['example.com', 'example.co.uk', 'xn--bcher-kva.de'];
const strict = { allowHttp: false };

const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,8}[a-z0-9])?$/);
const suffix = fc.constantFrom('com', 'co.uk', 'de', 'net', 'org', 'com.cn', 'github.io', 'xn--fiqs8s');
/** Hosts of any shape: random labels under random suffixes, look-alikes of the root, odd spellings. */
const host = (root: string) =>
  fc.oneof(
    fc.tuple(fc.array(label, { maxLength: 3 }), suffix).map(([labels, tld]) => [...labels, tld].join('.')),
    fc.tuple(fc.array(label, { maxLength: 2 })).map(([labels]) => [...labels, root].join('.')),
    fc.tuple(label).map(([l]) => `${root}.${l}.com`),
    fc.tuple(label).map(([l]) => `${l}${root}`),
    fc.constantFrom(`${root}.`, `app.${root}.`, root.toUpperCase(), `APP.${root.toUpperCase()}`, '127.0.0.1', '[::1]', 'localhost', '0x7f.1', '例え.example.com', 'exаmple.com'),
  );
const port = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined });
const path = fc.stringMatching(/^(\/[A-Za-z0-9._~%-]{0,8}){0,3}$/);
const scheme = fc.constantFrom('https', 'http', 'HTTPS', 'javascript', 'data', 'com.example.app', 'file');

const uriFor = (root: string) =>
  fc.tuple(scheme, host(root), port, path, fc.option(fc.stringMatching(/^[a-z=&0-9]{0,12}$/), { nil: undefined })).map(
    ([s, h, p, pth, q]) => `${s}://${h}${p === undefined ? '' : `:${p}`}${pth}${q === undefined ? '' : `?${q}`}`,
  );

function outcome(raw: string, root: string, listed: string[] = []): string | OAuthError {
  try {
    return checkRedirectUri(raw, { rootDomain: root, redirectUris: listed }, strict);
  } catch (error) {
    assert.ok(error instanceof OAuthError, `a non-OAuth error escaped for ${raw}: ${String(error)}`);
    assert.ok(error.code === 'invalid_request' || error.code === 'redirect_uri_mismatch', `${raw} → ${error.code}`);
    return error;
  }
}

describe('redirect_uri properties (fast-check)', () => {
  it('never accepts a generated https/http URI whose registrable domain differs from the app root domain', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ROOTS).chain((root) => fc.tuple(fc.constant(root), uriFor(root))), ([root, raw]) => {
        const result = outcome(raw, root);
        if (typeof result === 'string') {
          const url = new URL(result);
          assert.equal(url.protocol, 'https:', `accepted a non-https URI ${raw}`);
          assert.equal(registrableDomain(url.hostname), root, `accepted ${raw} outside ${root}`);
        }
      }),
      RUNS,
    );
  });

  it('always rejects an accepted URI once user information is added (https://root@evil style)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ROOTS).chain((root) => fc.tuple(fc.constant(root), uriFor(root))),
        fc.stringMatching(/^[A-Za-z0-9.%:-]{1,12}$/),
        ([root, raw], userinfo) => {
          const withUser = raw.replace('://', `://${userinfo}@`);
          const result = outcome(withUser, root);
          assert.ok(result instanceof OAuthError, `accepted ${withUser}`);
        },
      ),
      RUNS,
    );
  });

  it('always rejects a URI with a fragment, even one listed exactly', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ROOTS).chain((root) => fc.tuple(fc.constant(root), uriFor(root))),
        fc.stringMatching(/^[A-Za-z0-9=&]{0,10}$/),
        ([root, raw], fragment) => {
          const withFragment = `${raw}#${fragment}`;
          const result = outcome(withFragment, root, [withFragment]);
          assert.ok(result instanceof OAuthError && result.code === 'invalid_request', `accepted ${withFragment}`);
        },
      ),
      RUNS,
    );
  });

  it('with an exact list, accepts only a URI that is byte-for-byte on the list (outside loopback port freedom)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ROOTS).chain((root) => fc.tuple(fc.constant(root), uriFor(root), uriFor(root))), ([root, listedUri, raw]) => {
        const result = outcome(raw, root, [listedUri]);
        if (typeof result === 'string' && !/^http:\/\/(127\.0\.0\.1|\[::1\]|localhost)[:/]/.test(raw)) assert.equal(result, listedUri);
      }),
      RUNS,
    );
  });

  it('never accepts a URI with a space or control character, and anything accepted fits an HTTP Location header', () => {
    const control = fc.constantFrom('\r\n', '\n', '\t', ' ', '\u0000', '\u007f', '\r\nSet-Cookie: x=1');
    fc.assert(
      fc.property(
        fc.constantFrom(...ROOTS).chain((root) => fc.tuple(fc.constant(root), uriFor(root))),
        control,
        fc.nat(40),
        ([root, raw], bad, at) => {
          const cut = Math.min(at, raw.length);
          const poisoned = raw.slice(0, cut) + bad + raw.slice(cut);
          assert.ok(outcome(poisoned, root) instanceof OAuthError, `accepted ${JSON.stringify(poisoned)}`);
          const accepted = outcome(raw, root);
          if (typeof accepted === 'string') {
            const location = buildRedirect(accepted, { code: 'c', state: '<s>\r\n' }, 'query');
            assert.match(location, /^[\x21-\x7e]+$/, `Location would not be a valid header value: ${location}`);
          }
        },
      ),
      RUNS,
    );
  });
});
