/** Properties of PKCE (RFC 7636 §4.6) and its downgrade rule (RFC 9700 §2.1.1, §4.8). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { OAuthError } from '../../src/core/errors.js';
import { s256, verifyPkce } from '../../src/core/pkce.js';

const RUNS = { numRuns: 300, seed: 0x7636 };
const UNRESERVED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~';
const verifier = fc.array(fc.constantFrom(...UNRESERVED), { minLength: 43, maxLength: 128 }).map((chars) => chars.join(''));

function verdict(stored: { challenge: string | null; method: 'S256' | 'plain' | null }, presented: string | undefined): 'ok' | string {
  try {
    verifyPkce(stored, presented);
    return 'ok';
  } catch (error) {
    assert.ok(error instanceof OAuthError, String(error));
    return error.code;
  }
}

describe('PKCE properties (fast-check)', () => {
  it('S256 accepts exactly the verifier whose hash is the challenge', () => {
    fc.assert(
      fc.property(verifier, verifier, (right, other) => {
        const stored = { challenge: s256(right), method: 'S256' as const };
        assert.equal(verdict(stored, right), 'ok');
        if (other !== right) assert.equal(verdict(stored, other), 'invalid_grant');
      }),
      RUNS,
    );
  });

  it('S256 never accepts the challenge itself as the verifier (a stolen challenge is useless)', () => {
    fc.assert(
      fc.property(verifier, (right) => {
        const challenge = s256(right);
        assert.notEqual(verdict({ challenge, method: 'S256' }, challenge), 'ok');
      }),
      RUNS,
    );
  });

  it('plain accepts exactly the equal verifier', () => {
    fc.assert(
      fc.property(verifier, verifier, (right, other) => {
        assert.equal(verdict({ challenge: right, method: 'plain' }, right), 'ok');
        if (other !== right) assert.equal(verdict({ challenge: right, method: 'plain' }, other), 'invalid_grant');
      }),
      RUNS,
    );
  });

  it('a verifier for a code issued without a challenge is refused (downgrade), and a missing one for a code with a challenge', () => {
    fc.assert(
      fc.property(verifier, (v) => {
        assert.equal(verdict({ challenge: null, method: null }, v), 'invalid_grant');
        assert.equal(verdict({ challenge: s256(v), method: 'S256' }, undefined), 'invalid_grant');
      }),
      RUNS,
    );
  });

  it('any string as a verifier yields ok only for the right one, otherwise invalid_grant or invalid_request', () => {
    fc.assert(
      fc.property(verifier, fc.string({ unit: 'binary', maxLength: 200 }), (right, presented) => {
        const result = verdict({ challenge: s256(right), method: 'S256' }, presented);
        if (presented === right) assert.equal(result, 'ok');
        else assert.ok(result === 'invalid_grant' || result === 'invalid_request', result);
      }),
      RUNS,
    );
  });
});
