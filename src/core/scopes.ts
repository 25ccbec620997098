/**
 * Scope lists. RFC 6749 §3.3 separates scopes with spaces; Baidu clients use
 * commas, so both are accepted. Each scope-token is %x21 / %x23-5B / %x5D-7E.
 */
import { oauthError } from './errors.js';
import type { App } from './model.js';

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

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
 * lets the server pick a documented default).
 */
export function resolveScope(raw: string | undefined, app: Pick<App, 'scopes'>, known: ReadonlySet<string>): string[] {
  if (raw === undefined || raw.trim() === '') {
    return app.scopes.includes('basic') ? ['basic'] : [...app.scopes];
  }
  const requested = parseScope(raw);
  if (requested.length === 0) return app.scopes.includes('basic') ? ['basic'] : [...app.scopes];
  for (const name of requested) {
    if (!known.has(name)) throw oauthError('invalid_scope', `scope ${name} is unknown to this server`);
    if (!app.scopes.includes(name)) throw oauthError('invalid_scope', `scope ${name} is not enabled for this app`);
  }
  return requested;
}

/** True when every name of `asked` is in `granted`. */
export function scopeCovers(granted: readonly string[], asked: readonly string[]): boolean {
  return asked.every((name) => granted.includes(name));
}
