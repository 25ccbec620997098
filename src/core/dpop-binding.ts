/**
 * Whether the way a token came matches its binding (RFC 9449 §7.1–7.2, SPEC
 * §8), for every protected resource and the admin API: a bound token only
 * with a proof of its key, and the DPoP scheme only for a bound token.
 */
import { oauthError, type OAuthError } from './errors.js';
import type { TokenRecord } from './model.js';

/** undefined when the token may be used; else the invalid_token to answer (always with a DPoP challenge). */
export function bindingFailure(token: Pick<TokenRecord, 'jkt'>, proofKey: string | undefined): OAuthError | undefined {
  if (proofKey === undefined) {
    return token.jkt === null ? undefined : oauthError('invalid_token', 'this access token is DPoP-bound: send it as Authorization: DPoP with a DPoP proof');
  }
  if (token.jkt === null) return oauthError('invalid_token', 'this access token is not DPoP-bound: send it as Bearer');
  // RFC 9449 §7.1 (its example: "Invalid DPoP key binding"): the proof's key must be the token's.
  if (proofKey !== token.jkt) return oauthError('invalid_token', 'the DPoP proof was made with another key than the access token is bound to');
  return undefined;
}
