/** Properties of client authentication (RFC 6749 §2.3.1, SPEC §1): HTTP Basic parsing and the secret check. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { authenticateClient, parseBasic } from '../../src/core/client-auth.js';
import { OAuthError } from '../../src/core/errors.js';
import { basic, makeApp } from '../helpers/fixtures.js';

const RUNS = { numRuns: 300, seed: 0x6749 };
// Well-formed UTF-16 (a lone surrogate cannot be form-encoded), any code point otherwise.
const text = fc.string({ unit: 'grapheme', maxLength: 40 });

describe('client authentication properties (fast-check)', () => {
  it('parseBasic inverts form-encoding + base64 for any client_id and secret, including : % + space and non-ASCII', () => {
    fc.assert(
      fc.property(text.filter((id) => id !== ''), text, (clientId, clientSecret) => {
        assert.deepEqual(parseBasic(basic(clientId, clientSecret)), { clientId, clientSecret });
      }),
      RUNS,
    );
  });

  it('parseBasic never throws on any header value: it answers credentials, malformed or not-Basic', () => {
    const header = fc.oneof(fc.string({ unit: 'binary', maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 60 }).map((s) => `Basic ${s}`), fc.base64String().map((s) => `basic  ${s}`));
    fc.assert(
      fc.property(header, (value) => {
        const result = parseBasic(value);
        assert.ok(result === undefined || result === 'malformed' || (typeof result.clientId === 'string' && result.clientId !== ''));
      }),
      RUNS,
    );
  });

  it('never authenticates a confidential app with any secret but its own, by Basic or by parameter', async () => {
    const { app, secret } = makeApp();
    const apps = { findApp: async (id: string) => (id === app.clientId ? app : undefined) };
    await fc.assert(
      fc.asyncProperty(text, fc.boolean(), async (wrong, viaBasic) => {
        fc.pre(wrong !== secret);
        const input = viaBasic
          ? { authorization: basic(app.clientId, wrong), params: {} }
          : { authorization: undefined, params: { client_id: app.clientId, client_secret: wrong } };
        await assert.rejects(authenticateClient(apps, input), (error: unknown) => error instanceof OAuthError && error.code === 'invalid_client');
      }),
      RUNS,
    );
    assert.equal(await authenticateClient(apps, { authorization: basic(app.clientId, secret!), params: {} }), app);
  });

  it('a secret that differs from the right one in a single character never authenticates', async () => {
    const { app, secret } = makeApp();
    const apps = { findApp: async () => app };
    await fc.assert(
      fc.asyncProperty(fc.nat(secret!.length - 1), fc.constantFrom(...'ABCxyz019-_~.'), async (at, replacement) => {
        const wrong = secret!.slice(0, at) + replacement + secret!.slice(at + 1);
        fc.pre(wrong !== secret);
        await assert.rejects(authenticateClient(apps, { authorization: undefined, params: { client_id: app.clientId, client_secret: wrong } }), /client_secret is wrong/);
      }),
      RUNS,
    );
  });
});
