/** Looking up a presented token: the one place that decides whether a token is live. */
import { findJwtAccessToken, looksLikeJws } from './jwt-access-token.js';
import type { TokenRecord } from './model.js';
import type { TokenStore } from './ports.js';
import type { Signer } from './signing.js';
import { parseToken, secretMatches } from './tokens.js';

export type TokenLookup =
  | { status: 'active'; token: TokenRecord }
  | { status: 'expired'; token: TokenRecord }
  | { status: 'revoked'; token: TokenRecord }
  | { status: 'unknown' };

/**
 * The row behind a presented token: an opaque `id.secret` by its id and its
 * secret in constant time; a JWT access token (RFC 9068) by its verified
 * signature and jti, when a verifier is given. An opaque token never reaches
 * the verifier: its path is one regex and one hash, as before.
 */
export async function findPresentedToken(
  tokens: Pick<TokenStore, 'findToken'>,
  presented: string,
  verifier?: Pick<Signer, 'verify'>,
): Promise<TokenRecord | undefined> {
  const parsed = parseToken(presented);
  if (parsed === undefined) {
    return verifier !== undefined && looksLikeJws(presented) ? findJwtAccessToken({ tokens, verifier }, presented) : undefined;
  }
  const token = await tokens.findToken(parsed.id);
  return token !== undefined && secretMatches(parsed.secret, token.secretHash) ? token : undefined;
}

/** Finds a token and says why it is not active. */
export async function lookupToken(
  tokens: Pick<TokenStore, 'findToken'>,
  presented: string,
  now: number,
  verifier?: Pick<Signer, 'verify'>,
): Promise<TokenLookup> {
  const token = await findPresentedToken(tokens, presented, verifier);
  if (token === undefined) return { status: 'unknown' };
  if (token.revokedAt !== null || token.consumedAt !== null) return { status: 'revoked', token };
  if (token.expiresAt <= now) return { status: 'expired', token };
  return { status: 'active', token };
}
