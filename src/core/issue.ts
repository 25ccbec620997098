/**
 * Minting and storing an access token (and, where the grant allows, a refresh
 * token) and shaping the token response of SPEC §3.
 */
import { JWT_ROW_MARK, mintJwtAccessToken } from './jwt-access-token.js';
import type { App, Lifetimes, NewToken } from './model.js';
import type { TokenStore } from './ports.js';
import { formatScope } from './scopes.js';
import type { Signer } from './signing.js';
import { formatToken, hashSecret, mintSecret } from './tokens.js';

export interface TokenResponse {
  access_token: string;
  /** RFC 9449 §5: `DPoP` when the tokens are bound to the proof's key. */
  token_type: 'Bearer' | 'DPoP';
  expires_in: number;
  refresh_token?: string;
  scope: string;
  /** OpenID Connect grants only (SPEC §7), after the OAuth fields. */
  id_token?: string;
}

export interface IssueDeps {
  tokens: Pick<TokenStore, 'issueTokens'>;
  lifetimes: Lifetimes;
  now: number;
  /** Signs the access tokens of apps whose format is `jwt` (RFC 9068); opaque apps never use it. */
  jwt?: { signer: Pick<Signer, 'sign'>; issuer: string };
}

export interface IssueRequest {
  app: App;
  uid: string | null;
  scope: string[];
  familyId: number | null;
  /**
   * Whether a refresh token goes with it: code, device and refresh grants when
   * the app has refresh_token enabled; never implicit or client credentials
   * (RFC 6749 §4.2.2, §4.4.3).
   */
  withRefresh: boolean;
  /** RFC 6749 §6: a new refresh token keeps the scope of the one it replaces. */
  refreshScope?: string[];
  /**
   * RFC 9449 §5, SPEC §8: the thumbprint of the DPoP proof's key. The access
   * token is bound to it; the refresh token too, for public apps only (a
   * confidential app's refresh token is bound to its client authentication).
   */
  jkt?: string;
  /** RFC 8707: the resources of the access token (its aud); absent or empty: the client_id. */
  audience?: string[];
  /** RFC 8707 §2.2: the refresh token keeps every resource of the grant, whatever this access token narrowed to. */
  refreshAudience?: string[];
}

/** A row names its resources only when the request did (RFC 8707): other rows stay exactly as before. */
function audienceField(audience: string[] | undefined): { audience?: string[] } {
  return audience === undefined || audience.length === 0 ? {} : { audience };
}

/** RFC 9068: the JWT of a stored access token row (its id is the jti, so the row comes first). */
function signAccessToken(deps: IssueDeps, request: IssueRequest, row: NewToken, id: number): Promise<string> {
  if (deps.jwt === undefined) throw new Error('issueTokens: an app with JWT access tokens needs deps.jwt');
  return mintJwtAccessToken(deps.jwt, { app: request.app, id, uid: row.uid, scope: row.scope, audience: row.audience, createdAt: row.createdAt, expiresAt: row.expiresAt, jkt: row.jkt });
}

export async function issueTokens(deps: IssueDeps, request: IssueRequest): Promise<TokenResponse> {
  const { now, lifetimes } = deps;
  const asJwt = request.app.accessTokenFormat === 'jwt';
  // A JWT's row holds a mark, not a hash: the JWT is checked by its signature (jwt-access-token.ts).
  const accessSecret = asJwt ? undefined : mintSecret();
  const rows: NewToken[] = [
    {
      kind: 'access',
      secretHash: accessSecret === undefined ? JWT_ROW_MARK : hashSecret(accessSecret),
      clientId: request.app.clientId,
      uid: request.uid,
      scope: request.scope,
      familyId: request.familyId,
      createdAt: now,
      expiresAt: now + lifetimes.accessToken * 1000,
      jkt: request.jkt ?? null,
      ...audienceField(request.audience),
    },
  ];
  const withRefresh = request.withRefresh && request.app.grantTypes.includes('refresh_token');
  const refreshSecret = withRefresh ? mintSecret() : undefined;
  if (refreshSecret !== undefined) {
    rows.push({
      kind: 'refresh',
      secretHash: hashSecret(refreshSecret),
      clientId: request.app.clientId,
      uid: request.uid,
      scope: request.refreshScope ?? request.scope,
      familyId: request.familyId,
      createdAt: now,
      expiresAt: now + lifetimes.refreshToken * 1000,
      jkt: request.app.isPublic ? (request.jkt ?? null) : null,
      ...audienceField(request.refreshAudience ?? request.audience),
    });
  }
  const ids = await deps.tokens.issueTokens(rows);
  const response: TokenResponse = {
    access_token: accessSecret === undefined ? await signAccessToken(deps, request, rows[0]!, ids[0]!) : formatToken(ids[0]!, accessSecret),
    token_type: request.jkt === undefined ? 'Bearer' : 'DPoP',
    expires_in: lifetimes.accessToken,
    scope: formatScope(request.scope),
  };
  if (refreshSecret !== undefined) response.refresh_token = formatToken(ids[1]!, refreshSecret);
  return response;
}
