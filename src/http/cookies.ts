/**
 * Signed cookies for sign-in sessions and CSRF (RFC 9700 §4.7). The key is
 * shared by every instance (configuration or the database's settings table),
 * so a request may land on any instance; nothing lives in process memory.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { parse, serialize, type SerializeOptions } from 'cookie';
import { mintSecret, randomId } from '../core/tokens.js';

export const SESSION_COOKIE = 'gh_session';
export const CSRF_COOKIE = 'gh_csrf';
export const LANG_COOKIE = 'gh_lang';

/** A session lasts a day; force_login asks again whenever an app wants it. */
const SESSION_SECONDS = 24 * 3600;

export interface Session {
  uid: string;
  /** When the person last typed their password (ms), for force_login, max_age and auth_time. */
  authTime: number;
  /** The sign-in session's id: the id_token's `sid` (Back-Channel Logout 1.0 §2.1), new at every sign-in. */
  sid: string;
}

/** A new sign-in of `uid` now. */
export function newSession(uid: string, now: number): Session {
  return { uid, authTime: now, sid: randomId(16) };
}

export class CookieSigner {
  constructor(
    private readonly key: Buffer,
    private readonly secure: boolean,
  ) {}

  private mac(value: string): string {
    return createHmac('sha256', this.key).update(value).digest('base64url');
  }

  private verify(value: string, mac: string): boolean {
    const expected = Buffer.from(this.mac(value));
    const actual = Buffer.from(mac);
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }

  /** A MAC of `value` for `purpose` under the shared key (a pushed request carried through the sign-in and consent forms). */
  macFor(purpose: string, value: string): string {
    return this.mac(`${purpose}|${value}`);
  }

  verifyFor(purpose: string, value: string, mac: string): boolean {
    return this.verify(`${purpose}|${value}`, mac);
  }

  options(maxAge?: number): SerializeOptions {
    const options: SerializeOptions = { httpOnly: true, sameSite: 'lax', path: '/', secure: this.secure };
    if (maxAge !== undefined) options.maxAge = maxAge;
    return options;
  }

  sessionCookie(session: Session, now: number): string {
    const body = Buffer.from(JSON.stringify({ u: session.uid, t: session.authTime, s: session.sid, e: now + SESSION_SECONDS * 1000 })).toString('base64url');
    return serialize(SESSION_COOKIE, `${body}.${this.mac(`session|${body}`)}`, this.options(SESSION_SECONDS));
  }

  clearSessionCookie(): string {
    return serialize(SESSION_COOKIE, '', this.options(0));
  }

  readSession(cookies: Record<string, string | undefined>, now: number): Session | undefined {
    const raw = cookies[SESSION_COOKIE];
    if (raw === undefined) return undefined;
    const dot = raw.indexOf('.');
    if (dot < 0) return undefined;
    const body = raw.slice(0, dot);
    if (!this.verify(`session|${body}`, raw.slice(dot + 1))) return undefined;
    try {
      const data = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { u: unknown; t: unknown; s?: unknown; e: unknown };
      if (typeof data.u !== 'string' || typeof data.t !== 'number' || typeof data.e !== 'number' || data.e <= now) return undefined;
      // A session signed before sessions had ids keeps a stable one, derived from its own cookie.
      const sid = typeof data.s === 'string' ? data.s : createHash('sha256').update(body).digest('base64url').slice(0, 22);
      return { uid: data.u, authTime: data.t, sid };
    } catch {
      return undefined;
    }
  }

  /**
   * CSRF: a random nonce in an HttpOnly cookie, and in each form the HMAC of
   * it. A page from another site can neither read the cookie nor compute the
   * token. Returns the nonce to use and the Set-Cookie when a new one is needed.
   */
  csrfNonce(cookies: Record<string, string | undefined>): { nonce: string; setCookie?: string } {
    const existing = cookies[CSRF_COOKIE];
    if (existing !== undefined && /^[A-Za-z0-9_-]{43}$/.test(existing)) return { nonce: existing };
    const nonce = mintSecret();
    return { nonce, setCookie: serialize(CSRF_COOKIE, nonce, this.options()) };
  }

  csrfToken(nonce: string): string {
    return this.mac(`csrf|${nonce}`);
  }

  checkCsrf(cookies: Record<string, string | undefined>, token: string | undefined): boolean {
    const nonce = cookies[CSRF_COOKIE];
    if (nonce === undefined || token === undefined) return false;
    return this.verify(`csrf|${nonce}`, token);
  }
}

export function parseCookies(header: string | undefined): Record<string, string | undefined> {
  if (header === undefined) return {};
  try {
    return parse(header);
  } catch {
    return {};
  }
}

export function langCookie(lang: string): string {
  return serialize(LANG_COOKIE, lang, { path: '/', sameSite: 'lax', maxAge: 365 * 24 * 3600 });
}
