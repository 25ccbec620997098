/**
 * The token endpoint's decision (RFC 6749 §3.2): which grant, which app, then the grant itself.
 *
 * Written as a chain of promises, not as an async function: a request waits here for its
 * tokens' commit, and an async function's frame waiting that long outlives the young
 * generation; the chain keeps only the closures the next step needs
 * (docs/performance.md, "Round 5").
 */
import { authenticateClient, type ClientCredentialsInput } from './client-auth.js';
import { oauthError, OAuthError } from './errors.js';
import { presentedProof, tokenRequestKey, type TokenEndpointDpop } from './dpop-token.js';
import type { Grant, GrantDeps, GrantRegistry } from './grants/index.js';
import type { TokenResponse } from './issue.js';
import type { AppUsage } from './app-usage.js';
import type { App } from './model.js';
import { single } from './params.js';

export interface TokenRequestInput extends ClientCredentialsInput {
  /** The request's DPoP header and method (RFC 9449 §4.1), when the edge passes them. */
  proof?: { header: string | undefined; method: string };
}

type TokenEndpointDeps = GrantDeps & { grants: GrantRegistry; dpop: TokenEndpointDpop; usage?: AppUsage };

/** The grant that grant_type names (RFC 6749 §5.2: unsupported_grant_type otherwise). */
function grantOf(grants: GrantRegistry, params: TokenRequestInput['params']): Grant {
  const grantType = single(params, 'grant_type');
  if (grantType === undefined) throw oauthError('invalid_request', 'missing required parameter grant_type');
  const grant = grants.get(grantType);
  if (grant === undefined) throw oauthError('unsupported_grant_type', `grant_type ${grantType} is not supported`);
  return grant;
}

export function exchangeToken(deps: TokenEndpointDeps, input: TokenRequestInput): Promise<TokenResponse> {
  let grant: Grant;
  try {
    grant = grantOf(deps.grants, input.params);
  } catch (error) {
    return Promise.reject(error);
  }
  return authenticateClient(deps.stores.apps, input).then((app) => {
    const now = deps.clock.now();
    return exchangeAs(deps, grant, app, input, now).then(
      (response) => {
        // SPEC §9: a self-registered app's last token (GATEHOUSE_DYNAMIC_CLIENT_TTL); nothing for other apps.
        if (app.registration) deps.usage?.tokenIssued(app, now);
        return response;
      },
      (error: unknown) => {
        if (error instanceof OAuthError) error.clientId ??= app.clientId;
        throw error;
      },
    );
  });
}

/**
 * The grant, for an authenticated app. Async only so that a check's throw becomes a rejection:
 * it awaits nothing on a Bearer request and returns the grant's own promise.
 */
async function exchangeAs(deps: TokenEndpointDeps, grant: Grant, app: App, input: TokenRequestInput, now: number): Promise<TokenResponse> {
  if (!app.grantTypes.includes(grant.enabledBy)) {
    throw oauthError('unauthorized_client', `this app has not enabled the ${grant.enabledBy} grant`);
  }
  if (app.secretHash === null && !grant.allowsPublic) {
    throw oauthError('unauthorized_client', `a public app may not use the ${grant.grantType} grant`);
  }
  // SPEC §8: every grant binds its tokens to the proof's key (none: Bearer, as before).
  const proof = presentedProof(app, input.proof);
  if (proof === undefined) return grant.exchange(deps, { app, params: input.params, now });
  const jkt = await tokenRequestKey({ ...deps.dpop, replays: deps.stores.replays, now }, proof);
  return grant.exchange(deps, { app, params: input.params, now, jkt });
}
