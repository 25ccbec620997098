/** /oauth/2.0/token (RFC 6749 §3.2): POST form, and GET query for Baidu clients (SPEC §1). */
import { OAuthError } from '../../core/errors.js';
import { exchangeToken } from '../../core/token-endpoint.js';
import { ThrottledAppUsage, usageWriteInterval } from '../../core/app-usage.js';
import type { RouteModule } from '../context.js';
import { clientCredentials } from '../client-credentials.js';
import { endpoint } from '../endpoint.js';
import { dpopHeader, offerNonce } from '../dpop.js';
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
    dpop: { proofs: services.dpopProofs, nonces: services.dpopNonces, htu: `${services.config.issuer}${TOKEN_PATH}` },
    usage: new ThrottledAppUsage(services.stores.apps, usageWriteInterval(services.config.dynamicClientTtlSeconds), (error) => app.log.warn({ err: error }, 'could not note a self-registered app\'s use')),
  };
  endpoint(app, TOKEN_PATH, ['GET', 'POST'], 'json', async (request, reply, params) => {
    offerNonce(services, reply);
    try {
      const proof = { header: dpopHeader(request), method: request.method };
      const response = await exchangeToken(deps, { ...clientCredentials(services, TOKEN_PATH, request.headers.authorization, params), proof });
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
