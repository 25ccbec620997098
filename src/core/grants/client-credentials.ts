/** RFC 6749 §4.4: the app acts for itself; no refresh token (§4.4.3). The only grant of `gatehouse:admin` (SPEC §10). */
import { issueTokens } from '../issue.js';
import { single } from '../params.js';
import { requestedResources } from '../resources.js';
import { resolveScope } from '../scopes.js';
import type { Grant } from './types.js';

export const clientCredentialsGrant: Grant = {
  grantType: 'client_credentials',
  enabledBy: 'client_credentials',
  allowsPublic: false,
  async exchange(deps, { app, params, now }) {
    const scope = resolveScope(single(params, 'scope'), app, await deps.knownScopes(), { adminAllowed: true });
    return issueTokens(
      { tokens: deps.stores.tokens, lifetimes: deps.lifetimes, now },
      // RFC 8707 §2: the resources the app asks a token for, within its allow-list.
      { app, uid: null, scope, familyId: null, withRefresh: false, audience: requestedResources(params, app) },
    );
  },
};
