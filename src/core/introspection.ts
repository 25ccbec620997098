/**
 * RFC 7662 token introspection, for resource servers (SPEC §1).
 *
 * Who may see what: an app sees its own tokens; an app the operator marks as
 * a resource server sees every token. The resource-server power needs a
 * confidential app (one that proved a secret): a public app authenticates
 * with its client_id alone (`none`), which anyone can copy, so it only ever
 * sees its own tokens. Everything else — inactive, expired, revoked, unknown,
 * another app's — is exactly `{"active": false}` (RFC 7662 §2.2: nothing that
 * tells an inactive token's owner or reason).
 */
import type { ClientCredentialsInput } from './client-auth.js';
import { authenticateClient } from './client-auth.js';
import { lookupToken } from './access-token.js';
import type { App, TokenRecord } from './model.js';
import type { AppStore, TokenStore, UserStore } from './ports.js';
import { required, single } from './params.js';
import { audienceOf } from './resources.js';
import { formatScope } from './scopes.js';

export const TOKEN_TYPE_HINTS = ['access_token', 'refresh_token'] as const;

export interface IntrospectionDeps {
  apps: Pick<AppStore, 'findApp'>;
  tokens: Pick<TokenStore, 'findToken'>;
  users: Pick<UserStore, 'findUserByUid'>;
  issuer: string;
  now: number;
}

export interface ActiveIntrospection {
  active: true;
  scope: string;
  client_id: string;
  username?: string;
  /**
   * RFC 7662 §2.2 takes token_type from RFC 6749 §5.1, which types access
   * tokens only: "Bearer" for them; a refresh token has no such type, so the
   * field is left out (a resource server must check token_type === "Bearer").
   */
  token_type?: 'Bearer';
  exp: number;
  iat: number;
  sub?: string;
  /** RFC 8707: the token's resources (one: a string), else the client_id. */
  aud: string | string[];
  iss: string;
}

export type IntrospectionResponse = { active: false } | ActiveIntrospection;

export const INACTIVE: { active: false } = Object.freeze({ active: false });

/** Whether `caller` may learn anything about `token` (SPEC §1). */
export function maySee(caller: App, token: TokenRecord): boolean {
  if (token.clientId === caller.clientId) return true;
  return caller.isResourceServer && caller.secretHash !== null;
}

export async function introspect(deps: IntrospectionDeps, input: ClientCredentialsInput): Promise<IntrospectionResponse> {
  const caller = await authenticateClient(deps.apps, input);
  const presented = required(input.params, 'token');
  // RFC 7662 §2.1: the hint only orders the search, and the server must look
  // further when it misses; one id-keyed lookup finds both kinds, so every
  // hint gives the same answer. An unknown hint is ignored: RFC 7662 defines
  // no error for it (unsupported_token_type belongs to RFC 7009).
  single(input.params, 'token_type_hint');

  const lookup = await lookupToken(deps.tokens, presented, deps.now);
  if (lookup.status !== 'active' || !maySee(caller, lookup.token)) return INACTIVE;
  const { token } = lookup;
  // A disabled app's tokens no longer grant anything.
  if (token.clientId !== caller.clientId) {
    const owner = await deps.apps.findApp(token.clientId);
    if (owner === undefined || owner.disabled) return INACTIVE;
  }
  let username: string | undefined;
  if (token.uid !== null) {
    const user = await deps.users.findUserByUid(token.uid);
    if (user === undefined) return INACTIVE;
    username = user.username;
  }
  return {
    active: true,
    scope: formatScope(token.scope),
    client_id: token.clientId,
    ...(username === undefined ? {} : { username }),
    ...(token.kind === 'access' ? { token_type: 'Bearer' as const } : {}),
    exp: Math.floor(token.expiresAt / 1000),
    iat: Math.floor(token.createdAt / 1000),
    ...(token.uid === null ? {} : { sub: token.uid }),
    aud: audienceOf(token.audience, token.clientId),
    iss: deps.issuer,
  };
}
