import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatScope, parseScope, resolveScope, scopeCovers } from '../../src/core/scopes.js';
import { throwsWith } from '../helpers/fixtures.js';

const known = new Set(['basic', 'email', 'netdisk']);
const app = { scopes: ['basic', 'email'] };

describe('parseScope', () => {
  it('splits on spaces (RFC 6749 §3.3) and on commas (Baidu)', () => {
    assert.deepEqual(parseScope('basic email'), ['basic', 'email']);
    assert.deepEqual(parseScope('basic,email'), ['basic', 'email']);
    assert.deepEqual(parseScope(' basic, email ,'), ['basic', 'email']);
  });
  it('drops duplicates, keeping the first order', () => {
    assert.deepEqual(parseScope('email basic email,basic'), ['email', 'basic']);
  });
  it('rejects quotes, backslashes and control characters with invalid_scope', () => {
    for (const raw of ['basic "email"', 'basic\\email', 'basic\temail\u0001', 'bäsic']) {
      throwsWith(() => parseScope(raw), 'invalid_scope', /scope is malformed/);
    }
  });
});

describe('resolveScope', () => {
  it('grants the requested scopes when known and allowed', () => {
    assert.deepEqual(resolveScope('email,basic', app, known), ['email', 'basic']);
  });
  it('defaults to basic, or to everything the app may have when basic is not among them', () => {
    assert.deepEqual(resolveScope(undefined, app, known), ['basic']);
    assert.deepEqual(resolveScope(' , ', app, known), ['basic']);
    assert.deepEqual(resolveScope(undefined, { scopes: ['email', 'netdisk'] }, known), ['email', 'netdisk']);
  });
  it('rejects a scope the server does not know, naming it', () => {
    throwsWith(() => resolveScope('basic photos', app, known), 'invalid_scope', /scope photos is unknown/);
  });
  it('rejects a known scope the app may not request, naming it', () => {
    throwsWith(() => resolveScope('basic netdisk', app, known), 'invalid_scope', /scope netdisk is not enabled for this app/);
  });
});

describe('formatScope and scopeCovers', () => {
  it('formats space-separated', () => {
    assert.equal(formatScope(['basic', 'email']), 'basic email');
  });
  it('covers a subset and not a superset', () => {
    assert.equal(scopeCovers(['basic', 'email'], ['email']), true);
    assert.equal(scopeCovers(['basic'], ['basic', 'email']), false);
  });
});
