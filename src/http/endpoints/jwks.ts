/**
 * The server's public signing keys (SPEC §7, RFC 7517): every key that may
 * verify a live token, the next one included so that clients have it before
 * it signs. Cached at most 5 minutes, so a client that fetched it before a
 * rotation sees the new key well within the propagation delay.
 */
import type { RouteModule } from '../context.js';
import { endpoint } from '../endpoint.js';

export const JWKS_PATH = '/oauth/2.0/jwks';

export const jwksEndpoint: RouteModule = async (app, { services }) => {
  endpoint(app, JWKS_PATH, ['GET'], 'json', async (_request, reply) =>
    reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('cache-control', 'public, max-age=300')
      .send(JSON.stringify(await services.signer.jwks())),
  );
};
