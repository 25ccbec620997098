import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { describe, it, mock } from 'node:test';
import { formatToken, hashSecret, mintSecret, parseToken, secretMatches } from '../../src/core/tokens.js';

describe('formatToken and parseToken', () => {
  it('round-trips id.secret', () => {
    const secret = mintSecret();
    const id = 123_456_789_012_345;
    assert.deepEqual(parseToken(formatToken(id, secret)), { id, secret });
  });
  it('rejects anything not shaped id.secret', () => {
    const secret = mintSecret();
    const malformed = [
      '',
      secret,
      `.${secret}`,
      `0.${secret}`,
      `012.${secret}`,
      `-1.${secret}`,
      `1.5.${secret}`,
      `12.${secret}x`,
      `12.${secret.slice(1)}`,
      `12.${secret.slice(1)}+`,
      `12.${secret} `,
      `${'9'.repeat(16)}.${secret}`, // above 2^53
      `${'1'.repeat(17)}.${secret}`,
    ];
    for (const token of malformed) assert.equal(parseToken(token), undefined, token);
  });
});

describe('hashSecret and secretMatches', () => {
  it('stores a hash that is not the secret and does not contain it', () => {
    const secret = mintSecret();
    const hash = hashSecret(secret);
    assert.notEqual(hash, secret);
    assert.ok(!hash.includes(secret.slice(0, 16)));
    assert.equal(hash, crypto.createHash('sha256').update(secret).digest('base64url'));
  });
  it('matches the right secret and no other', () => {
    const secret = mintSecret();
    const hash = hashSecret(secret);
    assert.equal(secretMatches(secret, hash), true);
    assert.equal(secretMatches(mintSecret(), hash), false);
    assert.equal(secretMatches(`${secret}x`, hash), false);
    assert.equal(secretMatches(secret, hash.slice(1)), false);
    assert.equal(secretMatches(secret, ''), false);
  });
  it('compares with crypto.timingSafeEqual (constant time)', (t) => {
    const spy = mock.method(crypto, 'timingSafeEqual');
    syncBuiltinESMExports();
    t.after(() => {
      spy.mock.restore();
      syncBuiltinESMExports();
    });
    const secret = mintSecret();
    assert.equal(secretMatches(secret, hashSecret(secret)), true);
    assert.equal(secretMatches(mintSecret(), hashSecret(secret)), false);
    assert.equal(spy.mock.callCount(), 2);
  });
});

describe('mintSecret', () => {
  it('carries at least 128 bits in unreserved characters only (SPEC §2)', () => {
    for (let i = 0; i < 500; i += 1) {
      const secret = mintSecret();
      assert.match(secret, /^[A-Za-z0-9\-._~]+$/);
      assert.ok(Buffer.from(secret, 'base64url').length * 8 >= 128, secret);
    }
  });
  it('never repeats', () => {
    const seen = new Set(Array.from({ length: 10_000 }, () => mintSecret()));
    assert.equal(seen.size, 10_000);
  });
});
