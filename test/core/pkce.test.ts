import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseChallenge, s256, verifyPkce } from '../../src/core/pkce.js';
import { throwsWith } from '../helpers/fixtures.js';

// RFC 7636 appendix B.
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

describe('parseChallenge (authorize endpoint)', () => {
  it('computes the RFC 7636 appendix B S256 challenge', () => {
    assert.equal(s256(VERIFIER), CHALLENGE);
  });
  it('accepts S256 and plain, and defaults to plain without a method (RFC 7636 §4.3)', () => {
    assert.deepEqual(parseChallenge(CHALLENGE, 'S256'), { challenge: CHALLENGE, method: 'S256' });
    assert.deepEqual(parseChallenge(VERIFIER, 'plain'), { challenge: VERIFIER, method: 'plain' });
    assert.deepEqual(parseChallenge(VERIFIER, undefined), { challenge: VERIFIER, method: 'plain' });
  });
  it('means no PKCE when neither parameter is sent', () => {
    assert.equal(parseChallenge(undefined, undefined), undefined);
  });
  it('rejects code_challenge_method without code_challenge', () => {
    throwsWith(() => parseChallenge(undefined, 'S256'), 'invalid_request', /code_challenge_method .*without code_challenge/);
  });
  it('rejects an unknown method', () => {
    throwsWith(() => parseChallenge(CHALLENGE, 's256'), 'invalid_request', /code_challenge_method must be S256 or plain/);
  });
  it('rejects challenges of 42 or 129 characters and ones with other characters', () => {
    for (const challenge of ['a'.repeat(42), 'a'.repeat(129), `${'a'.repeat(42)}+`, `${'a'.repeat(42)}=`]) {
      throwsWith(() => parseChallenge(challenge, 'plain'), 'invalid_request', /code_challenge must be 43 to 128/);
    }
    assert.ok(parseChallenge('a'.repeat(43), 'plain'));
    assert.ok(parseChallenge('a'.repeat(128), 'plain'));
  });
});

describe('verifyPkce (token endpoint)', () => {
  const s256Code = { challenge: CHALLENGE, method: 'S256' as const };
  it('accepts the RFC 7636 appendix B verifier for its S256 challenge', () => {
    verifyPkce(s256Code, VERIFIER);
  });
  it('accepts a plain verifier equal to the challenge', () => {
    verifyPkce({ challenge: VERIFIER, method: 'plain' }, VERIFIER);
  });
  it('rejects a wrong verifier with invalid_grant', () => {
    throwsWith(() => verifyPkce(s256Code, `${VERIFIER.slice(0, -1)}l`), 'invalid_grant', /code_verifier does not match/);
  });
  it('rejects the challenge itself sent as verifier for an S256 code', () => {
    throwsWith(() => verifyPkce(s256Code, CHALLENGE), 'invalid_grant', /code_verifier does not match/);
  });
  it('rejects a missing verifier when the code has a challenge', () => {
    throwsWith(() => verifyPkce(s256Code, undefined), 'invalid_grant', /code_verifier is missing/);
  });
  it('rejects a verifier for a code issued without a challenge (downgrade, RFC 9700 §2.1.1)', () => {
    throwsWith(() => verifyPkce({ challenge: null, method: null }, VERIFIER), 'invalid_grant', /code_verifier was sent but the code was issued without code_challenge/);
    verifyPkce({ challenge: null, method: null }, undefined);
  });
  it('rejects malformed verifiers (42 or 129 characters, other characters) with invalid_request', () => {
    for (const verifier of ['a'.repeat(42), 'a'.repeat(129), `${'a'.repeat(43)}/`]) {
      throwsWith(() => verifyPkce({ challenge: verifier, method: 'plain' }, verifier), 'invalid_request', /code_verifier must be 43 to 128/);
    }
    verifyPkce({ challenge: 'a'.repeat(128), method: 'plain' }, 'a'.repeat(128));
  });
});
