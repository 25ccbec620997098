/** Properties of device-flow user codes (RFC 8628 §6.1, SPEC §3). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatUserCode, mintUserCode, normaliseUserCode, USER_CODE_ALPHABET } from '../../src/core/user-code.js';

const RUNS = { numRuns: 500, seed: 0x8628 };
const code = fc.array(fc.constantFrom(...USER_CODE_ALPHABET), { minLength: 8, maxLength: 8 }).map((chars) => chars.join(''));
const SHAPE = new RegExp(`^[${USER_CODE_ALPHABET}]{8}$`);

describe('user code properties (fast-check)', () => {
  it('normalisation is idempotent on any input: normalise(format(normalise(x))) = normalise(x)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (typed) => {
        const once = normaliseUserCode(typed);
        if (once !== undefined) assert.equal(normaliseUserCode(formatUserCode(once)), once);
        if (once !== undefined) assert.equal(normaliseUserCode(once), once);
      }),
      RUNS,
    );
  });

  it('is insensitive to case, dashes and spaces anywhere in what a person types', () => {
    fc.assert(
      fc.property(code, fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }), fc.array(fc.constantFrom('', '-', ' ', '--', ' - '), { minLength: 9, maxLength: 9 }), (canonical, lower, gaps) => {
        const typed = gaps[0] + [...canonical].map((c, i) => (lower[i] ? c.toLowerCase() : c) + gaps[i + 1]).join('');
        assert.equal(normaliseUserCode(typed), canonical);
      }),
      RUNS,
    );
  });

  it('only ever yields 8 letters of the alphabet, and refuses any code with a letter outside it', () => {
    fc.assert(
      fc.property(code, fc.nat(7), fc.constantFrom(...'AEIOUY0123456789!é'), (canonical, at, foreign) => {
        assert.equal(normaliseUserCode(canonical.slice(0, at) + foreign + canonical.slice(at + 1)), undefined);
      }),
      RUNS,
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (typed) => {
        const result = normaliseUserCode(typed);
        if (result !== undefined) assert.match(result, SHAPE);
      }),
      RUNS,
    );
  });

  it('minted codes use only the alphabet and format as XXXX-XXXX', () => {
    for (let i = 0; i < 2000; i++) {
      const minted = mintUserCode();
      assert.match(minted, SHAPE);
      assert.match(formatUserCode(minted), new RegExp(`^[${USER_CODE_ALPHABET}]{4}-[${USER_CODE_ALPHABET}]{4}$`));
    }
  });
});
