/**
 * OpenID Connect claims by scope (SPEC §7 "Claims by scope", OIDC Core §5.4):
 * the one table that the id_token, userinfo, discovery's `claims_supported`
 * and the consent page read. `openid` gives only `sub`, which the caller
 * computes (it depends on the app's subject type: ../core/id-token.ts).
 */
import type { App, User } from './model.js';
import { openidFor } from './openid.js';
import { portraitOf } from './users.js';

export const SCOPE_CLAIMS = {
  openid: ['sub'],
  profile: ['name', 'preferred_username', 'picture', 'updated_at'],
  email: ['email', 'email_verified'],
} as const satisfies Record<string, readonly string[]>;

export type ClaimScope = keyof typeof SCOPE_CLAIMS;
export type ClaimName = (typeof SCOPE_CLAIMS)[ClaimScope][number];

/** OIDC Core §11: asking for it is how an OpenID request asks for a refresh token. */
export const OFFLINE_ACCESS = 'offline_access';

/** Every claim the server can answer, for discovery's claims_supported (plus the id_token's own). */
export const CLAIMS_SUPPORTED: readonly string[] = [
  'sub',
  'iss',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'nonce',
  'azp',
  'sid',
  'at_hash',
  ...SCOPE_CLAIMS.profile,
  ...SCOPE_CLAIMS.email,
];

/** The claims a scope shares (the consent page lists them); empty for a scope that shares none. */
export function claimsOfScope(scope: string): readonly string[] {
  return Object.prototype.hasOwnProperty.call(SCOPE_CLAIMS, scope) ? SCOPE_CLAIMS[scope as ClaimScope] : [];
}

/**
 * Where a user's picture is: an absolute URL that ends with getLoggedInUser's
 * `portrait` (SPEC §7), in the shape of Baidu's `/sys/portrait/item/{portrait}`.
 */
export const PORTRAIT_PATH = '/sys/portrait/item/';

export function pictureUrl(issuer: string, uid: string): string {
  return `${issuer}${PORTRAIT_PATH}${portraitOf(uid)}`;
}

/**
 * The `sub` an app sees (OIDC Core §8): the uid for public apps, getInfo's
 * pairwise `openid` for pairwise ones — the same value, so an app can join them.
 */
export function subjectFor(openidKey: Buffer, app: Pick<App, 'clientId' | 'subjectType'>, uid: string): string {
  return app.subjectType === 'pairwise' ? openidFor(openidKey, app, uid) : uid;
}

/**
 * The claims of `scope` for `user` (never `sub`: the caller adds it). A claim
 * the user has no value for is left out (OIDC Core §5.3.2), so `email` and
 * `email_verified` come only with an address.
 */
export function scopeClaims(issuer: string, user: User, scope: readonly string[]): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  if (scope.includes('profile')) {
    if (user.name !== undefined && user.name !== '') claims['name'] = user.name;
    claims['preferred_username'] = user.username;
    claims['picture'] = pictureUrl(issuer, user.uid);
    claims['updated_at'] = Math.floor(user.updatedAt / 1000);
  }
  if (scope.includes('email') && user.email !== undefined) {
    claims['email'] = user.email;
    claims['email_verified'] = user.emailVerified;
  }
  return claims;
}
