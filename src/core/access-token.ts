/** Looking up a presented token: the one place that decides whether a token is live. */
import type { TokenRecord } from './model.js';
import type { TokenStore } from './ports.js';
import { parseToken, secretMatches } from './tokens.js';

export type TokenLookup =
  | { status: 'active'; token: TokenRecord }
  | { status: 'expired'; token: TokenRecord }
  | { status: 'revoked'; token: TokenRecord }
  | { status: 'unknown' };

/** Finds a token by its id and checks its secret in constant time; says why it is not active. */
export async function lookupToken(tokens: Pick<TokenStore, 'findToken'>, presented: string, now: number): Promise<TokenLookup> {
  const parsed = parseToken(presented);
  if (parsed === undefined) return { status: 'unknown' };
  const token = await tokens.findToken(parsed.id);
  if (token === undefined || !secretMatches(parsed.secret, token.secretHash)) return { status: 'unknown' };
  if (token.revokedAt !== null || token.consumedAt !== null) return { status: 'revoked', token };
  if (token.expiresAt <= now) return { status: 'expired', token };
  return { status: 'active', token };
}
