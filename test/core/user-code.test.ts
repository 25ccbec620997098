import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatUserCode, hashUserCode, mintUserCode, normaliseUserCode, USER_CODE_ALPHABET } from '../../src/core/user-code.js';

describe('user codes (SPEC §3, RFC 8628 §6.1)', () => {
  it('mints 8 characters from BCDFGHJKLMNPQRSTVWXZ, shown as XXXX-XXXX', () => {
    assert.equal(USER_CODE_ALPHABET, 'BCDFGHJKLMNPQRSTVWXZ');
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const code = mintUserCode();
      assert.match(code, /^[BCDFGHJKLMNPQRSTVWXZ]{8}$/);
      for (const char of code) seen.add(char);
      assert.match(formatUserCode(code), /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    }
    // 1600 draws: every letter of the alphabet turns up.
    assert.equal(seen.size, 20);
  });

  it('matches what a person types whatever the case, dashes and spaces', () => {
    for (const typed of ['BCDF-GHJK', 'bcdfghjk', 'bcdf ghjk', ' Bc-Df-Gh-Jk ', 'BCDF\tGHJK']) {
      assert.equal(normaliseUserCode(typed), 'BCDFGHJK', typed);
    }
  });

  it('refuses what cannot be a code: vowels, digits, wrong length', () => {
    for (const typed of ['ABCD-EFGH', 'BCDF-GHJ', 'BCDF-GHJKL', 'BCDF-GHJ1', '', 'BCDF_GHJK']) {
      assert.equal(normaliseUserCode(typed), undefined, typed);
    }
  });

  it('hashes the normalised code, so every way of typing it finds the same row', () => {
    assert.equal(hashUserCode(normaliseUserCode('bcdf ghjk')!), hashUserCode(normaliseUserCode('BCDF-GHJK')!));
    assert.notEqual(hashUserCode('BCDFGHJK'), hashUserCode('BCDFGHJL'));
    assert.doesNotMatch(hashUserCode('BCDFGHJK'), /BCDFGHJK/);
  });
});
