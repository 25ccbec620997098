/**
 * Resource indicators (RFC 8707, SPEC §8): the `resource` parameter names the
 * protected resource(s) a token is meant for, and becomes the access token's
 * audience. Without one, nothing changes: the audience is the client_id, as
 * it always was (SPEC §8 "without one, the client_id as today").
 */
import { oauthError } from './errors.js';
import type { App } from './model.js';
import type { Params } from './params.js';

/** A resource indicator is at most this long: long enough for any real URL, short enough for a token row. */
const MAX_RESOURCE_LENGTH = 2000;

/** RFC 8707 §2: an absolute URI without a fragment; null when it is not one (the reason). */
export function resourceProblem(value: string): string | null {
  if (value.length > MAX_RESOURCE_LENGTH) return `is longer than ${MAX_RESOURCE_LENGTH} characters`;
  // Stored space-separated, like scope: a space or control character is never part of a URI (RFC 3986 §2).
  if (/[\s\u0000-\u001f\u007f]/.test(value)) return 'contains a space or control character';
  if (value.includes('#')) return 'has a fragment';
  try {
    new URL(value);
  } catch {
    return 'is not an absolute URI';
  }
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(value)) return 'is not an absolute URI';
  return null;
}

/**
 * The `resource` values of a request (RFC 8707 §2: repeatable), each checked
 * against the URI rule and the app's allow-list (`--resource U`; an app that
 * lists none may name any resource). Any failure is invalid_target (RFC 8707
 * §2, SPEC §11). The order is kept, duplicates dropped.
 */
export function requestedResources(params: Params, app: Pick<App, 'resources'>): string[] {
  const raw = params['resource'];
  if (raw === undefined || raw === '') return [];
  const values = Array.isArray(raw) ? raw : [raw];
  const out: string[] = [];
  for (const value of values) {
    const problem = resourceProblem(value);
    if (problem !== null) throw oauthError('invalid_target', `resource ${JSON.stringify(value.slice(0, 100))} ${problem}: send an absolute URI without a fragment`);
    if (app.resources.length > 0 && !app.resources.includes(value)) {
      throw oauthError('invalid_target', `resource ${value} is not among the resources this app may ask for`);
    }
    if (!out.includes(value)) out.push(value);
  }
  return out;
}

/**
 * The resources of an access token issued from a grant (code, device
 * authorization, refresh token) that holds `granted` (RFC 8707 §2.2): a token
 * request may name some of them, narrowing this access token only (the
 * refresh token keeps all it was granted); naming one outside the grant is
 * invalid_target. A grant that named none is not audience-restricted, so the
 * token request may restrict it to any resource the app may ask for.
 */
export function narrowResources(granted: readonly string[], params: Params, app: Pick<App, 'resources'>): string[] {
  const asked = requestedResources(params, app);
  if (asked.length === 0) return [...granted];
  if (granted.length > 0) {
    const outside = asked.find((resource) => !granted.includes(resource));
    if (outside !== undefined) throw oauthError('invalid_target', `resource ${outside} was not granted: a token request may only narrow the resources of the grant (${granted.join(' ')})`);
  }
  return asked;
}

/** The audience of a token (introspection `aud`, the JWT's `aud`): its resources, else the client_id. */
export function audienceOf(resources: readonly string[] | undefined, clientId: string): string | string[] {
  if (resources === undefined || resources.length === 0) return clientId;
  return resources.length === 1 ? resources[0]! : [...resources];
}
