/**
 * JWT access tokens (RFC 9068, SPEC §8) for apps made with
 * `--access-token-format jwt`. The token is still a row (that is what makes it
 * revocable and introspectable): the JWT's `jti` is the row's id, and the
 * row's secret_hash holds JWT_ROW_MARK, which no presented secret can ever
 * match (a hash is 43 characters), so the row answers to its JWT only. The
 * signature, verified with the server's published keys, is what proves the
 * JWT was issued here; the row decides whether it is still live. Opaque apps
 * never come here: their issue and lookup paths are exactly as before.
 */
import type { App, TokenRecord } from './model.js';
import type { TokenStore } from './ports.js';
import { audienceOf } from './resources.js';
import { formatScope } from './scopes.js';
import type { Signer } from './signing.js';

/** RFC 9068 §2.1: the media type of the JWT's `typ` header. */
export const AT_JWT_TYP = 'at+jwt';

/** What the row of a JWT access token keeps in place of a secret's hash. */
export const JWT_ROW_MARK = 'at+jwt';

export interface JwtAccessTokenInput {
  app: App;
  /** The row's id: the JWT's jti. */
  id: number;
  uid: string | null;
  scope: readonly string[];
  audience: readonly string[] | undefined;
  /** ms */
  createdAt: number;
  expiresAt: number;
  /** RFC 9449 §6: the thumbprint of the DPoP key the token is bound to; null for a Bearer token. */
  jkt: string | null;
}

/** RFC 9068 §2.2: the claims, in the order SPEC §8 names them. */
export function jwtAccessTokenClaims(issuer: string, input: JwtAccessTokenInput): Record<string, unknown> {
  const claims: Record<string, unknown> = {
    iss: issuer,
    exp: Math.floor(input.expiresAt / 1000),
    aud: audienceOf(input.audience, input.app.clientId),
    // RFC 9068 §2.2: with no resource owner (client credentials) the subject is the client itself.
    sub: input.uid ?? input.app.clientId,
    client_id: input.app.clientId,
    iat: Math.floor(input.createdAt / 1000),
    jti: String(input.id),
    scope: formatScope([...input.scope]),
  };
  // RFC 9068 §2.2.1 / RFC 9449 §6.1: a DPoP-bound token says which key it is bound to.
  if (input.jkt !== null) claims['cnf'] = { jkt: input.jkt };
  return claims;
}

/**
 * Signs the access token with the app's signing algorithm (its
 * id_token_signed_response_alg: the one alg the app is known to verify).
 */
export function mintJwtAccessToken(deps: { signer: Pick<Signer, 'sign'>; issuer: string }, input: JwtAccessTokenInput): Promise<string> {
  return deps.signer.sign(jwtAccessTokenClaims(deps.issuer, input), { alg: input.app.idTokenAlg, typ: AT_JWT_TYP });
}

/** A compact JWS has three base64url parts (RFC 7515 §7.1); an opaque token has two. */
export function looksLikeJws(presented: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(presented);
}

/**
 * The row of a presented JWT access token, or undefined when the JWT does not
 * verify with one of our published keys under the key's own algorithm (a
 * swapped `alg`, `none`, a stripped or altered signature: RFC 8725 §3.1), is
 * not an access token (`typ` at+jwt, RFC 9068 §4: an id_token or logout token
 * is refused), or names no JWT row of its client.
 */
export async function findJwtAccessToken(
  deps: { tokens: Pick<TokenStore, 'findToken'>; verifier: Pick<Signer, 'verify'> },
  presented: string,
): Promise<TokenRecord | undefined> {
  const verified = await deps.verifier.verify(presented);
  if (verified === undefined) return undefined;
  const typ = verified.header['typ'];
  if (typ !== AT_JWT_TYP && typ !== `application/${AT_JWT_TYP}`) return undefined;
  const jti = verified.payload['jti'];
  if (typeof jti !== 'string' || !/^[1-9][0-9]{0,15}$/.test(jti)) return undefined;
  const token = await deps.tokens.findToken(Number(jti));
  if (token === undefined || token.kind !== 'access' || token.secretHash !== JWT_ROW_MARK) return undefined;
  if (verified.payload['client_id'] !== token.clientId) return undefined;
  return token;
}
