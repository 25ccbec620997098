/**
 * /oauth/2.0/userinfo (OIDC Core §5.3, SPEC §7): the claims of the access
 * token's scopes, `sub` as in the id_token (pairwise-aware). GET and POST,
 * the token as RFC 6750 Bearer (header or access_token parameter); errors as
 * the Baidu calls answer them (../bearer.ts): 401 invalid_token with
 * error_code 110/111, 403 insufficient_scope with scope="openid".
 *
 * DPoP (SPEC §8): requireUser accepts an `Authorization: DPoP` token and its
 * proof for every protected resource at once (../bearer.ts); nothing here.
 */
import { scopeClaims, subjectFor } from '../../core/claims.js';
import type { RouteModule } from '../context.js';
import { requireUser, sendInvalidToken, sendResource } from '../bearer.js';
import { endpoint } from '../endpoint.js';

export const USERINFO_PATH = '/oauth/2.0/userinfo';

export const userinfoEndpoint: RouteModule = async (app, { services }) => {
  endpoint(app, USERINFO_PATH, ['GET', 'POST'], 'resource', async (request, reply, params) => {
    const caller = await requireUser(services, request, reply, params, 'userinfo', 'openid');
    if (caller === undefined) return reply;
    const client = await services.stores.apps.findApp(caller.token.clientId);
    if (client === undefined) return sendInvalidToken(services, reply, 'invalid', 'the app of this access token no longer exists');
    const { user, token } = caller;
    return sendResource(reply, {
      sub: subjectFor(services.openidKey, client, user.uid),
      ...scopeClaims(services.config.issuer, user, token.scope),
    });
  });
};
