/**
 * Tokens for an OpenID Connect grant (SPEC §7): the OAuth tokens of
 * issue.ts, plus the id_token, plus the sign-in kept with the token family
 * so a refresh can issue the next id_token. Requests without `openid` never
 * come here: their path (and their bytes) stay exactly as before.
 */
import { OFFLINE_ACCESS } from './claims.js';
import { oauthError } from './errors.js';
import { mintIdToken, type IdTokenDeps } from './id-token.js';
import { issueTokens, type IssueDeps, type IssueRequest, type TokenResponse } from './issue.js';
import type { SignInContext } from './model.js';
import type { TokenStore, UserStore } from './ports.js';

/** What signing an id_token needs beside the lifetimes and the clock. */
export type OpenIdServices = Pick<IdTokenDeps, 'signer' | 'issuer' | 'openidKey'>;

export function isOpenIdScope(scope: readonly string[]): boolean {
  return scope.includes('openid');
}

/**
 * OIDC Core §11: an OpenID request gets a refresh token only when it asked
 * for `offline_access` (as node-oidc-provider, Hydra, Authelia and Zitadel
 * do). Requests without `openid` keep Baidu's rule: a refresh token whenever
 * the app has the refresh_token grant.
 */
export function mayRefresh(scope: readonly string[]): boolean {
  return !isOpenIdScope(scope) || scope.includes(OFFLINE_ACCESS);
}

export interface OpenIdIssueDeps extends IssueDeps {
  tokens: Pick<TokenStore, 'issueTokens' | 'saveSignIn'>;
  users: Pick<UserStore, 'findUserByUid'>;
  openid: OpenIdServices;
}

export interface OpenIdIssueRequest extends IssueRequest {
  uid: string;
  signIn: SignInContext;
  /** False for a refresh: the family's sign-in is already kept. */
  keepSignIn: boolean;
}

/** The token response with `id_token` after the existing fields (SPEC §7; OIDC Core §3.1.3.3). */
export async function issueOpenIdTokens(deps: OpenIdIssueDeps, request: OpenIdIssueRequest): Promise<TokenResponse> {
  const { app, uid, signIn, familyId } = request;
  const withRefresh = request.withRefresh && app.grantTypes.includes('refresh_token');
  const keep = request.keepSignIn && withRefresh && familyId !== null;
  // One turn: on SQLite the sign-in row commits in the same transaction as the tokens.
  const [response, user] = await Promise.all([
    // RFC 9068: a JWT access token is signed as the id_token is, by the same keys.
    issueTokens({ ...deps, jwt: deps.jwt ?? deps.openid }, { ...request, withRefresh }),
    deps.users.findUserByUid(uid),
    keep ? deps.tokens.saveSignIn(familyId, signIn, deps.now) : undefined,
  ]);
  if (user === undefined) throw oauthError('invalid_grant', 'the user of this grant no longer exists');
  const idToken = await mintIdToken(
    { ...deps.openid, lifetimes: deps.lifetimes, now: deps.now },
    { app, user, signIn, scope: request.scope, accessToken: response.access_token },
  );
  return { ...response, id_token: idToken };
}
