/**
 * RFC 7009 token revocation (SPEC §1). An app revokes only its own tokens;
 * an unknown token or another app's answers the same success and changes
 * nothing (RFC 7009 §2.2: the client cannot act on the difference, and an
 * attacker learns nothing from it).
 */
import { authenticateClient, type ClientCredentialsInput } from './client-auth.js';
import { oauthError } from './errors.js';
import type { AppStore, TokenStore } from './ports.js';
import { required, single } from './params.js';
import { findPresentedToken } from './access-token.js';
import type { Signer } from './signing.js';
import { TOKEN_TYPE_HINTS } from './introspection.js';

export interface RevocationDeps {
  apps: Pick<AppStore, 'findApp'>;
  tokens: Pick<TokenStore, 'findToken' | 'revokeToken' | 'revokeFamily'>;
  now: number;
  /** Verifies JWT access tokens (RFC 9068): revoked like opaque ones, by their row. */
  verifier?: Pick<Signer, 'verify'>;
}

export async function revoke(deps: RevocationDeps, input: ClientCredentialsInput): Promise<void> {
  const app = await authenticateClient(deps.apps, input);
  const presented = required(input.params, 'token');
  const hint = single(input.params, 'token_type_hint');
  if (hint !== undefined && !(TOKEN_TYPE_HINTS as readonly string[]).includes(hint)) {
    // RFC 7009 §2.2.1; SPEC §1 makes a bad hint this error.
    throw oauthError('unsupported_token_type', `token_type_hint ${hint} is not supported: use access_token or refresh_token`);
  }
  // RFC 7009 §2.1: the hint may be wrong; the lookup finds either kind anyway.
  const token = await findPresentedToken(deps.tokens, presented, deps.verifier);
  if (token === undefined) return;
  if (token.clientId !== app.clientId) return;
  if (token.kind === 'refresh' && token.familyId !== null) {
    // RFC 7009 §2.1: revoking a refresh token ends the grant, so every access
    // token issued from it (its family) ends too.
    await deps.tokens.revokeFamily(token.familyId, deps.now);
    return;
  }
  // An access token alone (RFC 7009 §2.1 leaves its refresh token to the
  // server: it stays, so an app can end one session without losing the
  // grant); tokens without a family (client credentials, implicit) likewise.
  await deps.tokens.revokeToken(token.id, deps.now);
}
