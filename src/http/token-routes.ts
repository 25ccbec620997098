/** /oauth/2.0/token (RFC 6749 §3.2): POST form, and GET query for Baidu clients (SPEC §1). */
import type { FastifyInstance } from 'fastify';
import { OAuthError } from '../core/errors.js';
import { exchangeToken } from '../core/token-endpoint.js';
import type { Services } from './app.js';
import { endpoint } from './endpoint.js';
import { JSON_TYPE, sendJsonError } from './errors.js';

export function registerTokenRoutes(app: FastifyInstance, services: Services): void {
  const deps = {
    stores: services.stores,
    lifetimes: services.config.lifetimes,
    clock: services.clock,
    knownScopes: services.knownScopes,
    grants: services.grants,
  };
  endpoint(app, '/oauth/2.0/token', ['GET', 'POST'], 'json', async (request, reply, params) => {
    try {
      const response = await exchangeToken(deps, { authorization: request.headers.authorization, params });
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
}
