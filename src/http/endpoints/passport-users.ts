/**
 * Baidu's user calls, protected resources: getLoggedInUser (uid, uname,
 * portrait), getInfo (pairwise openid/unionid) and getEmail. Errors are
 * RFC 6750's with Baidu's error_code/error_msg alongside (../bearer.ts).
 */
import { openidFor, unionidFor } from '../../core/openid.js';
import { portraitOf } from '../../core/users.js';
import type { RouteModule } from '../context.js';
import { requireUser, sendInvalidToken, sendResource } from '../bearer.js';
import { endpoint } from '../endpoint.js';

export const USERS_PATH = '/rest/2.0/passport/users';

export const passportUserEndpoints: RouteModule = async (app, { services }) => {
  const { stores } = services;

  endpoint(app, `${USERS_PATH}/getLoggedInUser`, ['GET', 'POST'], 'resource', async (request, reply, params) => {
    // The identity needs `basic` (RFC 6750 §3.1 insufficient_scope otherwise).
    const caller = await requireUser(services, request, reply, params, 'getLoggedInUser', 'basic');
    if (caller === undefined) return reply;
    const { user } = caller;
    return sendResource(reply, { uid: user.uid, uname: user.username, portrait: portraitOf(user.uid) });
  });

  endpoint(app, `${USERS_PATH}/getInfo`, ['GET', 'POST'], 'resource', async (request, reply, params) => {
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
  endpoint(app, `${USERS_PATH}/getEmail`, ['GET', 'POST'], 'resource', async (request, reply, params) => {
    const caller = await requireUser(services, request, reply, params, 'getEmail', 'email');
    if (caller === undefined) return reply;
    return sendResource(reply, { uid: caller.user.uid, email: caller.user.email ?? null });
  });
};
