/**
 * application/x-www-form-urlencoded, parsed strictly: a repeated name becomes
 * an array (RFC 6749 §3.1 makes that an error for known parameters, decided in
 * core), and bad percent-encoding or invalid UTF-8 is reported, never guessed
 * at, so the endpoint can answer invalid_request instead of acting on mojibake.
 */
import { isUtf8 } from 'node:buffer';
import type { Params } from '../core/params.js';

export class FormError extends Error {}

/** At most this many fields; more is an attack, not a client (SPEC §4: bad input → clean 4xx). */
const MAX_FIELDS = 200;

function decode(part: string): string {
  const spaced = part.includes('+') ? part.replace(/\+/g, ' ') : part;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    throw new FormError('the request has invalid percent-encoding or is not UTF-8');
  }
}

export function parseForm(text: string): Params {
  const params: Params = Object.create(null);
  if (text === '') return params;
  const pairs = text.split('&');
  if (pairs.length > MAX_FIELDS) throw new FormError(`the request has more than ${MAX_FIELDS} parameters`);
  for (const pair of pairs) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decode(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : decode(pair.slice(eq + 1));
    const existing = params[name];
    if (existing === undefined) params[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else params[name] = [existing, value];
  }
  return params;
}

export function parseFormBuffer(body: Buffer): Params {
  // Percent-decoded bytes are checked by decodeURIComponent; raw bytes here.
  if (!isUtf8(body)) throw new FormError('the request body is not valid UTF-8');
  return parseForm(body.toString('utf8'));
}

/** Both halves of a request's parameters, merged: a name in both counts as repeated. */
export function mergeParams(query: Params, body: Params): Params {
  // The usual POST has no query string: the body is the parameters (both are null-prototype objects).
  let queryEmpty = true;
  for (const _ in query) {
    queryEmpty = false;
    break;
  }
  if (queryEmpty) return body;
  const merged: Params = Object.assign(Object.create(null), query);
  for (const [name, value] of Object.entries(body)) {
    const existing = merged[name];
    if (existing === undefined) merged[name] = value;
    else merged[name] = [...([] as string[]).concat(existing), ...([] as string[]).concat(value ?? [])];
  }
  return merged;
}
