import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TokenResponse } from '../../src/core/issue.js';
import { openAnswer, sealAnswer, withinGrace } from '../../src/core/refresh-grace.js';
import { mintSecret } from '../../src/core/tokens.js';

// Token values long enough that a random IV, tag or ciphertext cannot spell them by chance
// (a short '1.a' could: the sealed text starts 'v1.' and 1 IV in 64 starts with 'a').
const ANSWER: TokenResponse = { access_token: '1001.AccessSecretInClear', token_type: 'Bearer', expires_in: 60, refresh_token: '1002.RefreshSecretInClear', scope: 'basic' };

describe('refresh grace: the sealed answer (SPEC §8)', () => {
  test('opens with the refresh token secret it was sealed for, and holds no token in clear', () => {
    const secret = mintSecret();
    const sealed = sealAnswer(secret, 42, ANSWER);
    assert.deepEqual(openAnswer(secret, 42, sealed), { answer: ANSWER, jkt: null });
    for (const token of [ANSWER.access_token, ANSWER.refresh_token!]) {
      assert.ok(!sealed.includes(token) && !sealed.includes(Buffer.from(`"${token}"`).toString('base64url')), token);
    }
    // Fresh IV each time: two seals of the same answer differ.
    assert.notEqual(sealAnswer(secret, 42, ANSWER), sealed);
  });

  test('does not open with another secret, for another token id, or altered', () => {
    const secret = mintSecret();
    const sealed = sealAnswer(secret, 42, ANSWER);
    assert.equal(openAnswer(mintSecret(), 42, sealed), undefined);
    assert.equal(openAnswer(secret, 43, sealed), undefined);
    const [v, iv, tag, body] = sealed.split('.');
    const flipped = Buffer.from(body!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    assert.equal(openAnswer(secret, 42, [v, iv, tag, flipped.toString('base64url')].join('.')), undefined);
    assert.equal(openAnswer(secret, 42, 'not sealed'), undefined);
  });

  test('the window: from the use, for refreshGrace seconds inclusive; never when 0 or when the family was revoked', () => {
    const used = { consumedAt: 1_000_000, revokedAt: null };
    assert.equal(withinGrace({ refreshGrace: 30 }, used, 1_000_000 + 30_000), true);
    assert.equal(withinGrace({ refreshGrace: 30 }, used, 1_000_000 + 30_001), false);
    assert.equal(withinGrace({ refreshGrace: 0 }, used, 1_000_000), false);
    assert.equal(withinGrace({ refreshGrace: 30 }, { consumedAt: 1_000_000, revokedAt: 1_000_001 }, 1_000_002), false);
    assert.equal(withinGrace({ refreshGrace: 30 }, { consumedAt: null, revokedAt: null }, 1_000_000), false);
  });
});
