/**
 * A pushed request (RFC 9126) is used up when the authorization endpoint
 * first redeems its request_uri; the sign-in and consent forms that follow
 * post its parameters back, so they carry `_par`, a MAC of exactly those
 * parameters under the server's shared key with the time it was made. A
 * post whose parameters still match is the pushed request going on (an app
 * made with --require-par accepts it); anything changed is a front-channel
 * request like any other.
 */
import type { Services } from './context.js';

const PURPOSE = 'pushed-request';
/** How long the person may take over the sign-in and consent pages. */
const LIFETIME_MS = 30 * 60_000;

const canonical = (fields: Record<string, string | string[]>): string => JSON.stringify(Object.entries(fields).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

export function continuationFor(services: Services, fields: Record<string, string | string[]>, now: number): string {
  return `${now}.${services.cookies.macFor(PURPOSE, `${now}|${canonical(fields)}`)}`;
}

export function isContinuation(services: Services, fields: Record<string, string | string[]>, marker: unknown, now: number): boolean {
  if (typeof marker !== 'string') return false;
  const dot = marker.indexOf('.');
  const at = Number(marker.slice(0, dot));
  if (dot <= 0 || !Number.isSafeInteger(at) || at > now || now - at > LIFETIME_MS) return false;
  return services.cookies.verifyFor(PURPOSE, `${at}|${canonical(fields)}`, marker.slice(dot + 1));
}
