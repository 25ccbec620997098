/**
 * Baidu's passport calls beyond getLoggedInUser: getInfo (pairwise ids), getEmail,
 * revokeAuthorization and expireSession. Errors are RFC 6750's with Baidu's
 * error_code/error_msg alongside (src/http/bearer.ts).
 */
import type { FastifyInstance } from 'fastify';
import { openidFor, unionidFor } from '../core/openid.js';
import { portraitOf } from '../core/users.js';
import type { Services } from './app.js';
import { requireAccessToken, requireUser, sendInvalidToken, sendResource } from './bearer.js';
import { endpoint } from './endpoint.js';

/** Baidu answers its write calls with the string "1". */
const DONE = { result: '1' };

export function registerBaiduUserRoutes(app: FastifyInstance, services: Services): void {
  const { stores, clock } = services;

  endpoint(app, '/rest/2.0/passport/users/getInfo', ['GET', 'POST'], 'resource', async (request, reply, params) => {
    const caller = await requireUser(services, request, reply, params, 'getInfo', 'basic');
    if (caller === undefined) return reply;
    const owner = await stores.apps.findApp(caller.token.clientId);
    if (owner === undefined) return sendInvalidToken(services, reply, 'invalid', 'the app of this access token no longer exists');
    const { user } = caller;
    return sendResource(reply, {
      openid: openidFor(services.openidKey, owner, user.uid),
      unionid: unionidFor(services.openidKey, owner, user.uid),
      username: user.username,
      portrait: portraitOf(user.uid),
      // The address only for a token that was granted it.
      ...(caller.token.scope.includes('email') && user.email !== undefined ? { email: user.email } : {}),
    });
  });

  // Reading the address needs the `email` scope: 403 insufficient_scope otherwise (RFC 6750 §3.1).
  endpoint(app, '/rest/2.0/passport/users/getEmail', ['GET', 'POST'], 'resource', async (request, reply, params) => {
    const caller = await requireUser(services, request, reply, params, 'getEmail', 'email');
    if (caller === undefined) return reply;
    return sendResource(reply, { uid: caller.user.uid, email: caller.user.email ?? null });
  });

  // The user withdraws the app: every token they granted it, and the remembered consent.
  endpoint(app, '/rest/2.0/passport/auth/revokeAuthorization', ['GET', 'POST'], 'resource', async (request, reply, params) => {
    const token = await requireAccessToken(services, request, reply, params, 'revokeAuthorization');
    if (token === undefined) return reply;
    const now = clock.now();
    if (token.uid === null) await stores.tokens.revokeToken(token.id, now);
    else {
      await stores.tokens.revokeUserTokens(token.uid, token.clientId, now);
      await stores.consents.deleteConsent(token.uid, token.clientId);
    }
    return sendResource(reply, DONE);
  });

  // Signing out of the app: this access token ends; the grant (refresh token, consent) stays.
  endpoint(app, '/rest/2.0/passport/auth/expireSession', ['GET', 'POST'], 'resource', async (request, reply, params) => {
    const token = await requireAccessToken(services, request, reply, params, 'expireSession');
    if (token === undefined) return reply;
    await stores.tokens.revokeToken(token.id, clock.now());
    return sendResource(reply, DONE);
  });
}
