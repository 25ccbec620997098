/**
 * Scope lists. RFC 6749 §3.3 separates scopes with spaces; Baidu clients use
 * commas, so both are accepted. Each scope-token is %x21 / %x23-5B / %x5D-7E.
 */
import { oauthError } from './errors.js';
import type { App } from './model.js';

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * The admin API's scope (SPEC §10): not a row of the scopes table (so no
 * consent page, metadata or console lists it), granted only by client
 * credentials to an app made with `clients create --admin`.
 */
export const ADMIN_SCOPE = 'gatehouse:admin';

/** Whether `name` may be the name of an operator's scope (printable ASCII, no comma; not the reserved admin scope). */
export function isValidScopeName(name: string): boolean {
  return SCOPE_TOKEN.test(name) && !name.includes(',') && name !== ADMIN_SCOPE && name.length <= 100;
}

/** Parses a requested scope string into distinct names, in order; malformed → invalid_scope. */
export function parseScope(raw: string): string[] {
  const names = raw.split(/[ ,]+/).filter((name) => name.length > 0);
  for (const name of names) {
    if (!SCOPE_TOKEN.test(name)) {
      throw oauthError('invalid_scope', 'scope is malformed: a scope name may not contain quotes, backslashes or control characters');
    }
  }
  return [...new Set(names)];
}

export function formatScope(scope: readonly string[]): string {
  return scope.join(' ');
}

/**
 * The scope an app is granted for a request: the requested one, each name
 * known to the server and allowed for the app; without a request, `basic`
 * where the app may have it, else everything the app may have (RFC 6749 §3.3
 * lets the server pick a documented default). `gatehouse:admin` only where
 * `adminAllowed` (the client credentials grant of an admin app): never at the
 * authorize or device endpoints, whatever the app's list says.
 */
export function resolveScope(raw: string | undefined, app: Pick<App, 'scopes'> & { isAdmin?: boolean }, known: ReadonlySet<string>, options: { adminAllowed?: boolean } = {}): string[] {
  const admin = options.adminAllowed === true && app.isAdmin;
  const allowed = admin ? app.scopes : app.scopes.filter((name) => name !== ADMIN_SCOPE);
  const fallback = () => (allowed.includes('basic') ? ['basic'] : [...allowed]);
  if (raw === undefined || raw.trim() === '') return fallback();
  const requested = parseScope(raw);
  if (requested.length === 0) return fallback();
  for (const name of requested) {
    if (name === ADMIN_SCOPE) {
      if (!admin) throw oauthError('invalid_scope', `scope ${ADMIN_SCOPE} is granted only by client credentials to an admin app (clients create --admin)`);
      continue;
    }
    if (!known.has(name)) throw oauthError('invalid_scope', `scope ${name} is unknown to this server`);
    if (!allowed.includes(name)) throw oauthError('invalid_scope', `scope ${name} is not enabled for this app`);
  }
  return requested;
}

/** True when every name of `asked` is in `granted`. */
export function scopeCovers(granted: readonly string[], asked: readonly string[]): boolean {
  return asked.every((name) => granted.includes(name));
}
