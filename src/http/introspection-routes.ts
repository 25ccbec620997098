/**
 * /oauth/2.0/introspect (RFC 7662) and /oauth/2.0/revoke (RFC 7009): POST
 * forms from authenticated apps, JSON errors like the token endpoint's.
 */
import type { FastifyInstance } from 'fastify';
import { OAuthError } from '../core/errors.js';
import { introspect } from '../core/introspection.js';
import { revoke } from '../core/revocation.js';
import type { Services } from './app.js';
import { endOfTurn } from './end-of-turn.js';
import { endpoint } from './endpoint.js';
import { JSON_TYPE, sendJsonError } from './errors.js';

export function registerIntrospectionRoutes(app: FastifyInstance, services: Services): void {
  const { stores, config, clock } = services;

  endpoint(app, '/oauth/2.0/introspect', ['POST'], 'json', async (request, reply, params) => {
    try {
      await endOfTurn();
      const answer = await introspect(
        { apps: stores.apps, tokens: stores.tokens, users: stores.users, issuer: config.issuer, now: clock.now() },
        { authorization: request.headers.authorization, params },
      );
      // RFC 7662 §2.2 answers JSON; what a token grants must not be cached.
      return reply.header('content-type', JSON_TYPE).header('cache-control', 'no-store').header('pragma', 'no-cache').send(JSON.stringify(answer));
    } catch (error) {
      if (error instanceof OAuthError) return sendJsonError(services, request, reply, error, 'introspect');
      throw error;
    }
  });

  endpoint(app, '/oauth/2.0/revoke', ['POST'], 'json', async (request, reply, params) => {
    try {
      await revoke({ apps: stores.apps, tokens: stores.tokens, now: clock.now() }, { authorization: request.headers.authorization, params });
      // RFC 7009 §2.2: 200, and the body is ignored by the client: send none.
      return reply.code(200).header('cache-control', 'no-store').header('pragma', 'no-cache').send();
    } catch (error) {
      if (error instanceof OAuthError) return sendJsonError(services, request, reply, error, 'revoke');
      throw error;
    }
  });
}
