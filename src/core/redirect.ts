/**
 * Which redirect URIs an app may use (SPEC §2). The root-domain rule compares
 * registrable domains from the Public Suffix List (tldts), so that
 * `a.b.example.co.uk` belongs to `example.co.uk`, never to `co.uk`.
 */
import { getDomain } from 'tldts';
import { oauthError, OAuthError } from './errors.js';
import type { App } from './model.js';

export const OOB = 'oob';

export interface RedirectPolicy {
  /** GATEHOUSE_ALLOW_HTTP_REDIRECTS=1: plain http for any host (root-domain rule still holds). */
  allowHttp: boolean;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);
// Schemes that execute or read locally in a browser are never a redirect target.
const FORBIDDEN_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:', 'blob:', 'about:', 'filesystem:']);

/** The registrable domain of a host name, lower-case, or undefined for IPs and bare suffixes. */
export function registrableDomain(host: string): string | undefined {
  const name = host.toLowerCase();
  // A trailing dot names the same host to DNS but would dodge exact comparisons: refuse it.
  if (name.endsWith('.')) return undefined;
  const domain = getDomain(name, { allowPrivateDomains: false });
  return domain ?? undefined;
}

/** Normalises and checks a root domain for an app: it must itself be registrable. */
export function normaliseRootDomain(input: string): string {
  let host: string;
  try {
    host = new URL(`https://${input.trim()}`).hostname;
  } catch {
    throw new Error(`root domain ${JSON.stringify(input)} is not a host name`);
  }
  const domain = registrableDomain(host);
  if (domain === undefined || domain !== host) {
    throw new Error(`root domain ${JSON.stringify(input)} is not a registrable domain (e.g. example.com, example.co.uk)`);
  }
  return domain;
}

function isLoopback(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname);
}

/** RFC 8252 §7.3: a loopback redirect matches a listed one whatever its port. */
function sameIgnoringPort(a: URL, b: string): boolean {
  let listed: URL;
  try {
    listed = new URL(b);
  } catch {
    return false;
  }
  return listed.protocol === a.protocol && listed.hostname === a.hostname && listed.pathname === a.pathname && listed.search === a.search;
}

/**
 * Checks a redirect_uri against an app. Throws invalid_request for a malformed
 * URI (relative, fragment, userinfo, a scheme the rules never allow) and
 * redirect_uri_mismatch for one the app may not use. Returns the URI to use.
 */
export function checkRedirectUri(raw: string, app: Pick<App, 'rootDomain' | 'redirectUris'>, policy: RedirectPolicy): string {
  if (raw === OOB) return OOB;
  // RFC 3986 §2: a URI has no spaces or control characters. Browsers strip tabs and
  // newlines before parsing, so such a URI would pass the checks below and then
  // break (or split) the Location header of the redirect.
  if (/[\x00-\x20\x7f]/.test(raw)) throw oauthError('invalid_request', 'redirect_uri must not contain spaces or control characters (RFC 3986)');
  if (raw.includes('#')) throw oauthError('invalid_request', 'redirect_uri must not contain a fragment (RFC 6749 §3.1.2)');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw oauthError('invalid_request', 'redirect_uri must be an absolute URI');
  }
  if (FORBIDDEN_SCHEMES.has(url.protocol)) {
    throw oauthError('invalid_request', `redirect_uri scheme ${url.protocol.slice(0, -1)} is not allowed`);
  }
  if (url.username !== '' || url.password !== '') {
    throw oauthError('invalid_request', 'redirect_uri must not contain user information (user@host)');
  }
  const listed = app.redirectUris;
  const isListed = listed.includes(raw);

  if (url.protocol === 'https:' || url.protocol === 'http:') {
    if (url.protocol === 'http:' && isLoopback(url)) {
      if (isListed || listed.some((uri) => sameIgnoringPort(url, uri))) return raw;
      throw mismatch(`the loopback redirect_uri ${raw} is not in the app's list of redirect URIs`);
    }
    if (url.protocol === 'http:' && !policy.allowHttp) {
      throw oauthError('invalid_request', 'redirect_uri must use https (plain http is allowed only for loopback hosts)');
    }
    const domain = registrableDomain(url.hostname);
    if (domain !== app.rootDomain) {
      throw mismatch(`redirect_uri host ${url.hostname} is not under the app's root domain ${app.rootDomain}`);
    }
    if (listed.length > 0 && !isListed) {
      throw mismatch(`redirect_uri ${raw} is not in the app's list of redirect URIs`);
    }
    return raw;
  }
  // A private-use scheme (RFC 8252 §7.1), for native apps: only when listed exactly.
  if (isListed) return raw;
  throw mismatch(`redirect_uri ${raw} uses a custom scheme and is not in the app's list of redirect URIs`);
}

function mismatch(detail: string): OAuthError {
  return new OAuthError('redirect_uri_mismatch', detail);
}

/**
 * SPEC §2 Referer rule, implicit grant only: a Referer from another site must
 * be under the app's root domain. The server's own pages are exempt.
 */
export function checkReferer(referer: string | undefined, app: Pick<App, 'rootDomain'>, ownOrigin: string): void {
  if (referer === undefined || referer === '') return;
  let url: URL;
  try {
    url = new URL(referer);
  } catch {
    throw oauthError('invalid_referer', 'the Referer header is not an absolute URL');
  }
  if (url.origin === ownOrigin) return;
  if (registrableDomain(url.hostname) !== app.rootDomain) {
    throw oauthError('invalid_referer', `Referer host ${url.hostname} is not under the app's root domain ${app.rootDomain}`);
  }
}

/** Appends parameters to a redirect URI, in its query or fragment, keeping its own query (RFC 6749 §3.1.2). */
export function buildRedirect(base: string, params: Record<string, string | undefined>, where: 'query' | 'fragment'): string {
  const encoded = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) encoded.append(key, value);
  const text = encoded.toString();
  // An IDN host or a non-ASCII path is sent as the URL's ASCII serialisation
  // (punycode, percent-encoding): an HTTP header carries only ASCII.
  if (/[^\x21-\x7e]/.test(base)) base = new URL(base).href;
  if (where === 'fragment') return `${base}#${text}`;
  return base.includes('?') ? `${base}&${text}` : `${base}?${text}`;
}
