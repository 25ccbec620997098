/**
 * Baidu's token check and the protected resource of the core:
 * /oauth/2.0/tokeninfo and /rest/2.0/passport/users/getLoggedInUser
 * (RFC 6750 errors, with Baidu's error_code alongside).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { lookupToken, type TokenLookup } from '../core/access-token.js';
import { OAuthError, oauthError } from '../core/errors.js';
import { single, type Params } from '../core/params.js';
import { portraitOf } from '../core/users.js';
import type { Services } from './app.js';
import { endpoint } from './endpoint.js';
import { JSON_TYPE, errorUri, noteFailure, sendJsonError } from './errors.js';
import { sendInsufficientScope } from './insufficient-scope.js';

/** RFC 6750 §2.1/§2.3: the header or the access_token parameter, never both. */
export function presentedToken(authorization: string | undefined, params: Params): string | undefined {
  const param = single(params, 'access_token');
  const match = authorization === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (match && param !== undefined) throw oauthError('invalid_request', 'the access token was sent two ways: Authorization header and access_token parameter');
  return match ? match[1] : param;
}

/** Baidu REST error codes: 110 invalid, 111 expired. */
const BAIDU_CODES = {
  missing: { error_code: 110, error_msg: 'Access token invalid or no longer valid' },
  invalid: { error_code: 110, error_msg: 'Access token invalid or no longer valid' },
  expired: { error_code: 111, error_msg: 'Access token expired' },
};

/** 401 for a protected resource (RFC 6750 §3.1): no error attribute when no token was sent. */
export function sendInvalidToken(services: Services, reply: FastifyReply, why: 'missing' | 'invalid' | 'expired', description: string): FastifyReply {
  const challenge = why === 'missing' ? 'Bearer realm="gatehouse"' : `Bearer realm="gatehouse", error="invalid_token", error_description="${description}"`;
  return reply
    .code(401)
    .header('www-authenticate', challenge)
    .header('content-type', JSON_TYPE)
    .header('cache-control', 'no-store')
    .send(
      JSON.stringify({
        error: 'invalid_token',
        error_description: description,
        error_uri: errorUri(services.config.issuer, 'invalid_token'),
        ...BAIDU_CODES[why],
      }),
    );
}

export function describeLookup(lookup: TokenLookup): { why: 'invalid' | 'expired'; description: string } {
  switch (lookup.status) {
    case 'expired':
      return { why: 'expired', description: 'the access token has expired' };
    case 'revoked':
      return { why: 'invalid', description: 'the access token has been revoked' };
    default:
      return { why: 'invalid', description: 'the access token is unknown' };
  }
}

export function registerResourceRoutes(app: FastifyInstance, services: Services): void {
  const { stores, clock } = services;

  endpoint(app, '/rest/2.0/passport/users/getLoggedInUser', ['GET', 'POST'], 'resource', async (request, reply, params) => {
    let presented: string | undefined;
    try {
      presented = presentedToken(request.headers.authorization, params);
    } catch (error) {
      if (error instanceof OAuthError) return sendJsonError(services, request, reply, error, 'getLoggedInUser');
      throw error;
    }
    if (presented === undefined) return sendInvalidToken(services, reply, 'missing', 'no access token was sent');
    const lookup = await lookupToken(stores.tokens, presented, clock.now());
    if (lookup.status !== 'active' || lookup.token.kind !== 'access') {
      const { why, description } = lookup.status === 'active' ? { why: 'invalid' as const, description: 'a refresh token is not an access token' } : describeLookup(lookup);
      noteFailure(services, request, 'getLoggedInUser', Object.assign(oauthError('invalid_token', description), { clientId: lookup.status === 'unknown' ? undefined : lookup.token.clientId }));
      return sendInvalidToken(services, reply, why, description);
    }
    const { token } = lookup;
    // Item 5 of issue 5: the identity needs `basic` (RFC 6750 §3.1 insufficient_scope otherwise).
    if (!token.scope.includes('basic')) return sendInsufficientScope(services.config, reply, 'basic');
    if (token.uid === null) {
      return sendInvalidToken(services, reply, 'invalid', 'this access token was issued by client credentials and has no user');
    }
    const user = await stores.users.findUserByUid(token.uid);
    if (user === undefined) return sendInvalidToken(services, reply, 'invalid', 'the user of this access token no longer exists');
    return reply
      .header('content-type', JSON_TYPE)
      .header('cache-control', 'no-store')
      .send(JSON.stringify({ uid: user.uid, uname: user.username, portrait: portraitOf(user.uid) }));
  });

  // Baidu's token check: no client authentication; any failure is invalid_grant (SPEC §1).
  endpoint(app, '/oauth/2.0/tokeninfo', ['GET', 'POST'], 'json', async (request, reply, params) => {
    try {
      const presented = single(params, 'access_token');
      if (presented === undefined) throw oauthError('invalid_request', 'missing required parameter access_token');
      const now = clock.now();
      const lookup = await lookupToken(stores.tokens, presented, now);
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
}
