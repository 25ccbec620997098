/**
 * The checks every protected resource of Baidu's REST API makes (RFC 6750):
 * a live access token (401 invalid_token otherwise, Baidu's error_code 110 or
 * 111 alongside), then for calls that read a user, the scope they read (403
 * insufficient_scope) and the user behind the token. Each check sends its own
 * error and returns undefined, so a route reads `if (!caller) return reply`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { lookupToken } from '../core/access-token.js';
import { OAuthError, oauthError } from '../core/errors.js';
import type { TokenRecord, User } from '../core/model.js';
import type { Params } from '../core/params.js';
import type { Services } from './app.js';
import { JSON_TYPE, errorUri, noteFailure } from './errors.js';
import { sendInsufficientScope } from './insufficient-scope.js';
import { describeLookup, presentedToken, sendInvalidToken } from './resource-routes.js';

/** RFC 6750 §3.1 invalid_request (the token sent two ways), with Baidu's 100 "Invalid parameter". */
function sendBadRequest(services: Services, request: FastifyRequest, reply: FastifyReply, error: OAuthError, endpoint: string): FastifyReply {
  noteFailure(services, request, endpoint, error);
  return reply
    .code(400)
    .header('www-authenticate', 'Bearer realm="gatehouse", error="invalid_request"')
    .header('content-type', JSON_TYPE)
    .header('cache-control', 'no-store')
    .send(
      JSON.stringify({
        error: error.code,
        error_description: error.description,
        error_uri: errorUri(services.config.issuer, error.code),
        error_code: 100,
        error_msg: 'Invalid parameter',
      }),
    );
}

/** The live access token of this call, or undefined once the 400/401 is sent. */
export async function requireAccessToken(
  services: Services,
  request: FastifyRequest,
  reply: FastifyReply,
  params: Params,
  endpoint: string,
): Promise<TokenRecord | undefined> {
  let presented: string | undefined;
  try {
    presented = presentedToken(request.headers.authorization, params);
  } catch (error) {
    if (error instanceof OAuthError) return void sendBadRequest(services, request, reply, error, endpoint);
    throw error;
  }
  if (presented === undefined) return void sendInvalidToken(services, reply, 'missing', 'no access token was sent');
  const lookup = await lookupToken(services.stores.tokens, presented, services.clock.now());
  if (lookup.status === 'active' && lookup.token.kind === 'access') return lookup.token;
  const { why, description } =
    lookup.status === 'active' ? { why: 'invalid' as const, description: 'a refresh token is not an access token' } : describeLookup(lookup);
  const failure = oauthError('invalid_token', description);
  if (lookup.status !== 'unknown') failure.clientId = lookup.token.clientId;
  noteFailure(services, request, endpoint, failure);
  return void sendInvalidToken(services, reply, why, description);
}

/** As requireAccessToken, then the scope the call reads and the user behind the token. */
export async function requireUser(
  services: Services,
  request: FastifyRequest,
  reply: FastifyReply,
  params: Params,
  endpoint: string,
  scope: string,
): Promise<{ token: TokenRecord; user: User } | undefined> {
  const token = await requireAccessToken(services, request, reply, params, endpoint);
  if (token === undefined) return undefined;
  if (!token.scope.includes(scope)) return void sendInsufficientScope(services.config, reply, scope);
  if (token.uid === null) {
    return void sendInvalidToken(services, reply, 'invalid', 'this access token was issued by client credentials and has no user');
  }
  const user = await services.stores.users.findUserByUid(token.uid);
  if (user === undefined) return void sendInvalidToken(services, reply, 'invalid', 'the user of this access token no longer exists');
  return { token, user };
}

/** A protected resource's answer: JSON, never cached (it describes a user). */
export function sendResource(reply: FastifyReply, body: Record<string, unknown>): FastifyReply {
  return reply.header('content-type', JSON_TYPE).header('cache-control', 'no-store').send(JSON.stringify(body));
}
