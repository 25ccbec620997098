import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { CookieSigner, newSession, parseCookies, SESSION_COOKIE } from '../../src/http/cookies.js';

const KEY = Buffer.from('a test cookie key of enough length');
const NOW = 1_800_000_000_000;

function cookieValue(setCookie: string): Record<string, string | undefined> {
  return parseCookies(setCookie.split(';', 1)[0]);
}

test('every sign-in gets its own session id (the id_token sid), and the cookie keeps it', () => {
  const signer = new CookieSigner(KEY, false);
  const first = newSession('u1', NOW);
  const second = newSession('u1', NOW);
  assert.match(first.sid, /^[A-Za-z0-9_-]{16,}$/);
  assert.notEqual(first.sid, second.sid);
  assert.deepEqual(signer.readSession(cookieValue(signer.sessionCookie(first, NOW)), NOW + 1000), first);
});

test('a session cookie signed before sessions had ids reads with a stable derived sid', () => {
  const signer = new CookieSigner(KEY, false);
  const body = Buffer.from(JSON.stringify({ u: 'u1', t: NOW, e: NOW + 3_600_000 })).toString('base64url');
  const mac = createHmac('sha256', KEY).update(`session|${body}`).digest('base64url');
  const cookies = { [SESSION_COOKIE]: `${body}.${mac}` };
  const read = signer.readSession(cookies, NOW);
  assert.equal(read?.uid, 'u1');
  assert.equal(read?.authTime, NOW);
  assert.match(read!.sid, /^[A-Za-z0-9_-]{22}$/);
  assert.equal(signer.readSession(cookies, NOW)?.sid, read!.sid);
});
