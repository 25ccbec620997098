/** Baidu's token check, /oauth/2.0/tokeninfo: no client authentication; any failure is invalid_grant (SPEC §1). */
import { lookupToken } from '../../core/access-token.js';
import { OAuthError, oauthError } from '../../core/errors.js';
import { single } from '../../core/params.js';
import type { RouteModule } from '../context.js';
import { endOfTurn } from '../end-of-turn.js';
import { endpoint } from '../endpoint.js';
import { JSON_TYPE, sendJsonError } from '../errors.js';

export const TOKENINFO_PATH = '/oauth/2.0/tokeninfo';

export const tokeninfoEndpoint: RouteModule = async (app, { services }) => {
  const { stores, clock } = services;

  endpoint(app, TOKENINFO_PATH, ['GET', 'POST'], 'json', async (request, reply, params) => {
    try {
      await endOfTurn();
      const presented = single(params, 'access_token');
      if (presented === undefined) throw oauthError('invalid_request', 'missing required parameter access_token');
      const now = clock.now();
      const lookup = await lookupToken(stores.tokens, presented, now, services.signer);
      if (lookup.status !== 'active' || lookup.token.kind !== 'access') {
        const why = lookup.status === 'active' ? 'it is a refresh token, not an access token' : `it is ${lookup.status}`;
        throw oauthError('invalid_grant', `the access token is not valid: ${why}`);
      }
      const { token } = lookup;
      return reply
        .header('content-type', JSON_TYPE)
        .header('cache-control', 'no-store')
        .send(
          JSON.stringify({
            client_id: token.clientId,
            userid: token.uid,
            scope: token.scope.join(' '),
            create_time: Math.floor(token.createdAt / 1000),
            expire_in: Math.max(0, Math.floor((token.expiresAt - now) / 1000)),
          }),
        );
    } catch (error) {
      if (error instanceof OAuthError) return sendJsonError(services, request, reply, error, 'tokeninfo');
      throw error;
    }
  });
};
