/**
 * Minting and storing an access token (and, where the grant allows, a refresh
 * token) and shaping the token response of SPEC §3.
 */
import type { App, Lifetimes, NewToken } from './model.js';
import type { TokenStore } from './ports.js';
import { formatScope } from './scopes.js';
import { formatToken, hashSecret, mintSecret } from './tokens.js';

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
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
  /** RFC 8707: the resources of the access token (its aud); absent or empty: the client_id. */
  audience?: string[];
  /** RFC 8707 §2.2: the refresh token keeps every resource of the grant, whatever this access token narrowed to. */
  refreshAudience?: string[];
}

/** A row names its resources only when the request did (RFC 8707): other rows stay exactly as before. */
function audienceField(audience: string[] | undefined): { audience?: string[] } {
  return audience === undefined || audience.length === 0 ? {} : { audience };
}

export async function issueTokens(deps: IssueDeps, request: IssueRequest): Promise<TokenResponse> {
  const { now, lifetimes } = deps;
  const accessSecret = mintSecret();
  const rows: NewToken[] = [
    {
      kind: 'access',
      secretHash: hashSecret(accessSecret),
      clientId: request.app.clientId,
      uid: request.uid,
      scope: request.scope,
      familyId: request.familyId,
      createdAt: now,
      expiresAt: now + lifetimes.accessToken * 1000,
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
      ...audienceField(request.refreshAudience ?? request.audience),
    });
  }
  const ids = await deps.tokens.issueTokens(rows);
  const response: TokenResponse = {
    access_token: formatToken(ids[0]!, accessSecret),
    token_type: 'Bearer',
    expires_in: lifetimes.accessToken,
    scope: formatScope(request.scope),
  };
  if (refreshSecret !== undefined) response.refresh_token = formatToken(ids[1]!, refreshSecret);
  return response;
}
