/**
 * Baidu's session calls, protected resources: revokeAuthorization (the user
 * withdraws the app) and expireSession (this access token ends).
 */
import { endAppSessions } from '../../core/logout.js';
import type { RouteModule } from '../context.js';
import { requireAccessToken, sendResource } from '../bearer.js';
import { endpoint } from '../endpoint.js';

export const AUTH_PATH = '/rest/2.0/passport/auth';

/** Baidu answers its write calls with the string "1". */
const DONE = { result: '1' };

export const passportAuthEndpoints: RouteModule = async (app, { services }) => {
  const { stores, clock } = services;

  // The user withdraws the app: every token they granted it, the remembered consent, and their sessions there.
  endpoint(app, `${AUTH_PATH}/revokeAuthorization`, ['GET', 'POST'], 'resource', async (request, reply, params) => {
    const token = await requireAccessToken(services, request, reply, params, 'revokeAuthorization');
    if (token === undefined) return reply;
    const now = clock.now();
    if (token.uid === null) await stores.tokens.revokeToken(token.id, now);
    else {
      await stores.tokens.revokeUserTokens(token.uid, token.clientId, now);
      await stores.consents.deleteConsent(token.uid, token.clientId);
      // The user's sessions at the app end too: a logout token to it (SPEC §7 "Logout").
      await endAppSessions(stores, token.uid, token.clientId, now);
    }
    return sendResource(reply, DONE);
  });

  // Signing out of the app: this access token ends; the grant (refresh token, consent) stays.
  endpoint(app, `${AUTH_PATH}/expireSession`, ['GET', 'POST'], 'resource', async (request, reply, params) => {
    const token = await requireAccessToken(services, request, reply, params, 'expireSession');
    if (token === undefined) return reply;
    await stores.tokens.revokeToken(token.id, clock.now());
    return sendResource(reply, DONE);
  });
};
