/** /oauth/2.0/token (RFC 6749 §3.2): POST form, and GET query for Baidu clients (SPEC §1). */
import { OAuthError } from '../../core/errors.js';
import { exchangeToken } from '../../core/token-endpoint.js';
import type { RouteModule } from '../context.js';
import { clientCredentials } from '../client-credentials.js';
import { endpoint } from '../endpoint.js';
import { JSON_TYPE, sendJsonError } from '../errors.js';

export const TOKEN_PATH = '/oauth/2.0/token';

export const tokenEndpoint: RouteModule = async (app, { services }) => {
  const deps = {
    stores: services.stores,
    lifetimes: services.config.lifetimes,
    clock: services.clock,
    knownScopes: services.knownScopes,
    grants: services.grants,
    openid: { signer: services.signer, issuer: services.config.issuer, openidKey: services.openidKey },
  };
  endpoint(app, TOKEN_PATH, ['GET', 'POST'], 'json', async (request, reply, params) => {
    try {
      const response = await exchangeToken(deps, clientCredentials(services, TOKEN_PATH, request.headers.authorization, params));
      // SPEC §3 / RFC 6749 §5.1: tokens are never cached.
      return reply
        .header('content-type', JSON_TYPE)
        .header('cache-control', 'no-store')
        .header('pragma', 'no-cache')
        .send(JSON.stringify(response));
    } catch (error) {
      if (error instanceof OAuthError) return sendJsonError(services, request, reply, error, 'token');
      throw error;
    }
  });
};
