/** /oauth/2.0/revoke (RFC 7009): a POST form from an authenticated app, JSON errors like the token endpoint's. */
import { OAuthError } from '../../core/errors.js';
import { revoke } from '../../core/revocation.js';
import type { RouteModule } from '../context.js';
import { clientCredentials } from '../client-credentials.js';
import { endpoint } from '../endpoint.js';
import { sendJsonError } from '../errors.js';

export const REVOCATION_PATH = '/oauth/2.0/revoke';

export const revocationEndpoint: RouteModule = async (app, { services }) => {
  const { stores, clock } = services;

  endpoint(app, REVOCATION_PATH, ['POST'], 'json', async (request, reply, params) => {
    try {
      await revoke({ apps: stores.apps, tokens: stores.tokens, now: clock.now(), verifier: services.signer }, clientCredentials(services, REVOCATION_PATH, request.headers.authorization, params));
      // RFC 7009 §2.2: 200, and the body is ignored by the client: send none.
      return reply.code(200).header('cache-control', 'no-store').header('pragma', 'no-cache').send();
    } catch (error) {
      if (error instanceof OAuthError) return sendJsonError(services, request, reply, error, 'revoke');
      throw error;
    }
  });
};
