/** Properties of scope lists (RFC 6749 §3.3, SPEC §3: space or comma separated). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { OAuthError } from '../../src/core/errors.js';
import { formatScope, parseScope, resolveScope } from '../../src/core/scopes.js';

const RUNS = { numRuns: 500, seed: 0x3303 };
// RFC 6749 §3.3 scope-token: %x21 / %x23-5B / %x5D-7E, minus the comma Baidu uses as a separator.
const TOKEN_CHARS = [...Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i))].filter((c) => c !== '"' && c !== '\\' && c !== ',');
const scopeName = fc.array(fc.constantFrom(...TOKEN_CHARS), { minLength: 1, maxLength: 12 }).map((chars) => chars.join(''));
const names = fc.uniqueArray(scopeName, { maxLength: 8 });
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

describe('scope list properties (fast-check)', () => {
  it('parseScope ∘ formatScope is the identity on lists of distinct scope names', () => {
    fc.assert(fc.property(names, (list) => assert.deepEqual(parseScope(formatScope(list)), list)), RUNS);
  });

  it('commas, spaces and runs of either separate the same list', () => {
    const separator = fc.constantFrom(' ', ',', ', ', ' ,', '  ', ',,');
    fc.assert(
      fc.property(names, fc.array(separator, { minLength: 8, maxLength: 8 }), (list, seps) => {
        const joined = list.map((name, i) => (i === 0 ? name : `${seps[i]}${name}`)).join('');
        assert.deepEqual(parseScope(` ${joined},`), list);
      }),
      RUNS,
    );
  });

  it('never returns a name with a quote, backslash, control or non-ASCII character: such input is invalid_scope', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (raw) => {
        try {
          for (const name of parseScope(raw)) assert.match(name, SCOPE_TOKEN);
        } catch (error) {
          assert.ok(error instanceof OAuthError && error.code === 'invalid_scope', String(error));
        }
      }),
      RUNS,
    );
  });

  it('resolveScope grants only names both known to the server and enabled for the app', () => {
    const pool = ['basic', 'email', 'netdisk', 'super', 'admin'];
    fc.assert(
      fc.property(fc.subarray(pool), fc.subarray(pool), fc.subarray(pool), (known, allowed, asked) => {
        try {
          const granted = resolveScope(asked.join(','), { scopes: allowed }, new Set(known));
          for (const name of granted) assert.ok(allowed.includes(name) && (asked.length === 0 || known.includes(name)), name);
        } catch (error) {
          assert.ok(error instanceof OAuthError && error.code === 'invalid_scope', String(error));
        }
      }),
      RUNS,
    );
  });
});
