/** The token endpoint's decision (RFC 6749 §3.2): which grant, which app, then the grant itself. */
import { authenticateClient, type ClientCredentialsInput } from './client-auth.js';
import { oauthError, OAuthError } from './errors.js';
import { presentedProof, tokenRequestKey, type TokenEndpointDpop } from './dpop-token.js';
import type { GrantDeps, GrantRegistry } from './grants/index.js';
import type { TokenResponse } from './issue.js';
import type { AppUsage } from './app-usage.js';
import { single } from './params.js';

export interface TokenRequestInput extends ClientCredentialsInput {
  /** The request's DPoP header and method (RFC 9449 §4.1), when the edge passes them. */
  proof?: { header: string | undefined; method: string };
}

export async function exchangeToken(deps: GrantDeps & { grants: GrantRegistry; dpop: TokenEndpointDpop; usage?: AppUsage }, input: TokenRequestInput): Promise<TokenResponse> {
  const grantType = single(input.params, 'grant_type');
  if (grantType === undefined) throw oauthError('invalid_request', 'missing required parameter grant_type');
  const grant = deps.grants.get(grantType);
  if (grant === undefined) throw oauthError('unsupported_grant_type', `grant_type ${grantType} is not supported`);

  const app = await authenticateClient(deps.stores.apps, input);
  try {
    if (!app.grantTypes.includes(grant.enabledBy)) {
      throw oauthError('unauthorized_client', `this app has not enabled the ${grant.enabledBy} grant`);
    }
    if (app.secretHash === null && !grant.allowsPublic) {
      throw oauthError('unauthorized_client', `a public app may not use the ${grantType} grant`);
    }
    const now = deps.clock.now();
    // SPEC §8: every grant binds its tokens to the proof's key (undefined: Bearer, as before).
    // A Bearer request awaits nothing here: one await fewer per token is a third fewer bytes
    // promoted to the old generation (docs/performance.md, "Round 5").
    const proof = presentedProof(app, input.proof);
    const jkt = proof === undefined ? undefined : await tokenRequestKey({ ...deps.dpop, replays: deps.stores.replays, now }, proof);
    const response = await grant.exchange(deps, { app, params: input.params, now, ...(jkt === undefined ? {} : { jkt }) });
    // SPEC §9: a self-registered app's last token (GATEHOUSE_DYNAMIC_CLIENT_TTL); nothing for other apps.
    if (app.registration) deps.usage?.tokenIssued(app, now);
    return response;
  } catch (error) {
    if (error instanceof OAuthError) error.clientId ??= app.clientId;
    throw error;
  }
}
