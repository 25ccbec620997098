/** /oauth/2.0/introspect (RFC 7662): a POST form from an authenticated app, JSON errors like the token endpoint's. */
import { OAuthError } from '../../core/errors.js';
import { introspect } from '../../core/introspection.js';
import type { RouteModule } from '../context.js';
import { endOfTurn } from '../end-of-turn.js';
import { clientCredentials } from '../client-credentials.js';
import { endpoint } from '../endpoint.js';
import { JSON_TYPE, sendJsonError } from '../errors.js';

export const INTROSPECTION_PATH = '/oauth/2.0/introspect';

export const introspectionEndpoint: RouteModule = async (app, { services }) => {
  const { stores, config, clock } = services;

  endpoint(app, INTROSPECTION_PATH, ['POST'], 'json', async (request, reply, params) => {
    try {
      await endOfTurn();
      const answer = await introspect(
        { apps: stores.apps, tokens: stores.tokens, users: stores.users, issuer: config.issuer, now: clock.now(), verifier: services.signer },
        clientCredentials(services, INTROSPECTION_PATH, request.headers.authorization, params),
      );
      // RFC 7662 §2.2 answers JSON; what a token grants must not be cached.
      return reply.header('content-type', JSON_TYPE).header('cache-control', 'no-store').header('pragma', 'no-cache').send(JSON.stringify(answer));
    } catch (error) {
      if (error instanceof OAuthError) return sendJsonError(services, request, reply, error, 'introspect');
      throw error;
    }
  });
};
