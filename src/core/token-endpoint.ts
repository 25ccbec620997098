/** The token endpoint's decision (RFC 6749 §3.2): which grant, which app, then the grant itself. */
import { authenticateClient, type ClientCredentialsInput } from './client-auth.js';
import { oauthError, OAuthError } from './errors.js';
import type { GrantDeps, GrantRegistry } from './grants/index.js';
import type { TokenResponse } from './issue.js';
import type { AppUsage } from './app-usage.js';
import { single } from './params.js';

export async function exchangeToken(deps: GrantDeps & { grants: GrantRegistry; usage?: AppUsage }, input: ClientCredentialsInput): Promise<TokenResponse> {
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
    const response = await grant.exchange(deps, { app, params: input.params, now });
    // SPEC §9: a self-registered app's last token (GATEHOUSE_DYNAMIC_CLIENT_TTL); nothing for other apps.
    if (app.registration) deps.usage?.tokenIssued(app, now);
    return response;
  } catch (error) {
    if (error instanceof OAuthError) error.clientId ??= app.clientId;
    throw error;
  }
}
