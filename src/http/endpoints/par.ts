/** /oauth/2.0/par (RFC 9126 §2): a POST form from an authenticated app; 201 with the request_uri, JSON errors as at the token endpoint. */
import { OAuthError } from '../../core/errors.js';
import { pushAuthorizationRequest } from '../../core/par.js';
import type { RouteModule } from '../context.js';
import { clientCredentials } from '../client-credentials.js';
import { endpoint } from '../endpoint.js';
import { JSON_TYPE, sendJsonError } from '../errors.js';

export const PAR_PATH = '/oauth/2.0/par';

export const parEndpoint: RouteModule = async (app, { services }) => {
  const { stores, config, clock } = services;
  const authorizeDeps = {
    apps: stores.apps,
    knownScopes: services.knownScopes,
    redirectPolicy: { allowHttp: config.allowHttpRedirects },
    ownOrigin: new URL(config.issuer).origin,
  };

  endpoint(app, PAR_PATH, ['POST'], 'json', async (request, reply, params) => {
    try {
      const answer = await pushAuthorizationRequest(
        { ...authorizeDeps, requests: stores.pushedRequests, ttlSeconds: config.parTtlSeconds, now: clock.now() },
        clientCredentials(services, PAR_PATH, request.headers.authorization, params),
      );
      // RFC 9126 §2.2: 201 Created; the request_uri is a credential of sorts, never cached.
      return reply.code(201).header('content-type', JSON_TYPE).header('cache-control', 'no-store').header('pragma', 'no-cache').send(JSON.stringify(answer));
    } catch (error) {
      if (error instanceof OAuthError) return sendJsonError(services, request, reply, error, 'par');
      throw error;
    }
  });
};
