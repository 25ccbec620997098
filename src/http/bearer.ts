/**
 * The checks every protected resource of Baidu's REST API makes (RFC 6750):
 * a live access token (401 invalid_token otherwise, Baidu's error_code 110 or
 * 111 alongside), then for calls that read a user, the scope they read (403
 * insufficient_scope) and the user behind the token. Each check sends its own
 * error and returns undefined, so a route reads `if (!caller) return reply`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { lookupToken, type TokenLookup } from '../core/access-token.js';
import { bindingFailure } from '../core/dpop-binding.js';
import { OAuthError, oauthError } from '../core/errors.js';
import type { TokenRecord, User } from '../core/model.js';
import { single, type Params } from '../core/params.js';
import type { Services } from './context.js';
import { dpopChallenge, offerNonce, resourceProofKey } from './dpop.js';
import { JSON_TYPE, errorUri, noteFailure } from './errors.js';
import { endOfTurn } from './end-of-turn.js';
import { sendInsufficientScope } from './insufficient-scope.js';

/**
 * How the token came: RFC 6750 §2.1 `Bearer` header or §2.3 `access_token`
 * parameter, or RFC 9449 §7.1 `DPoP` header (with a proof beside it).
 */
export type TokenScheme = 'Bearer' | 'DPoP' | 'parameter';

/** RFC 6750 §2.1/§2.3 and RFC 9449 §7.1: the header or the access_token parameter, never both. */
export function presentedToken(authorization: string | undefined, params: Params): { token: string; scheme: TokenScheme } | undefined {
  const param = single(params, 'access_token');
  const match = authorization === undefined ? null : /^(Bearer|DPoP)\s+(\S+)\s*$/i.exec(authorization);
  if (match && param !== undefined) throw oauthError('invalid_request', 'the access token was sent two ways: Authorization header and access_token parameter');
  if (match) return { token: match[2]!, scheme: match[1]!.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer' };
  return param === undefined ? undefined : { token: param, scheme: 'parameter' };
}

/** Baidu REST error codes: 110 invalid, 111 expired. */
const BAIDU_CODES = {
  missing: { error_code: 110, error_msg: 'Access token invalid or no longer valid' },
  invalid: { error_code: 110, error_msg: 'Access token invalid or no longer valid' },
  expired: { error_code: 111, error_msg: 'Access token expired' },
};

/**
 * 401 for a protected resource (RFC 6750 §3.1): no error attribute when no
 * token was sent. With `dpop` (a DPoP-bound token, or a token sent with the
 * DPoP scheme), the challenge is RFC 9449 §7.1's DPoP one (SPEC §8).
 */
export function sendInvalidToken(
  services: Services,
  reply: FastifyReply,
  why: 'missing' | 'invalid' | 'expired',
  description: string,
  dpop = false,
  code: 'invalid_token' | 'invalid_dpop_proof' | 'use_dpop_nonce' = 'invalid_token',
): FastifyReply {
  const challenge =
    why === 'missing'
      ? 'Bearer realm="gatehouse"'
      : dpop
        ? dpopChallenge(code, description)
        : `Bearer realm="gatehouse", error="invalid_token", error_description="${description}"`;
  return reply
    .code(401)
    .header('www-authenticate', challenge)
    .header('content-type', JSON_TYPE)
    .header('cache-control', 'no-store')
    .send(
      JSON.stringify({
        error: code,
        error_description: description,
        error_uri: errorUri(services.config.issuer, code),
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
  await endOfTurn();
  // RFC 9449 §8: with nonces on, every answer of a resource carries the current one.
  offerNonce(services, reply);
  let presented: ReturnType<typeof presentedToken>;
  try {
    presented = presentedToken(request.headers.authorization, params);
  } catch (error) {
    if (error instanceof OAuthError) return void sendBadRequest(services, request, reply, error, endpoint);
    throw error;
  }
  if (presented === undefined) return void sendInvalidToken(services, reply, 'missing', 'no access token was sent');
  const fail = (why: 'invalid' | 'expired', failure: OAuthError, token?: TokenRecord, dpop = presented!.scheme === 'DPoP'): undefined => {
    if (token !== undefined) failure.clientId = token.clientId;
    noteFailure(services, request, endpoint, failure);
    return void sendInvalidToken(services, reply, why, failure.description, dpop, failure.code as 'invalid_token' | 'invalid_dpop_proof' | 'use_dpop_nonce');
  };
  let proofKey: string | undefined;
  if (presented.scheme === 'DPoP') {
    // RFC 9449 §7.1: the proof first (it names this request and, by ath, this token).
    try {
      proofKey = await resourceProofKey(services, request, presented.token);
    } catch (error) {
      if (error instanceof OAuthError) return fail('invalid', error);
      throw error;
    }
  }
  const lookup = await lookupToken(services.stores.tokens, presented.token, services.clock.now(), services.signer);
  if (lookup.status === 'active' && lookup.token.kind === 'access') {
    // SPEC §8: a bound token presented as Bearer, a Bearer one as DPoP, or another key: invalid_token, DPoP challenge.
    const mismatch = bindingFailure(lookup.token, proofKey);
    return mismatch === undefined ? lookup.token : fail('invalid', mismatch, lookup.token, true);
  }
  const { why, description } =
    lookup.status === 'active' ? { why: 'invalid' as const, description: 'a refresh token is not an access token' } : describeLookup(lookup);
  return fail(why, oauthError('invalid_token', description), lookup.status === 'unknown' ? undefined : lookup.token);
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
  const dpop = token.jkt !== null;
  if (token.uid === null) {
    return void sendInvalidToken(services, reply, 'invalid', 'this access token was issued by client credentials and has no user', dpop);
  }
  const user = await services.stores.users.findUserByUid(token.uid);
  if (user === undefined) return void sendInvalidToken(services, reply, 'invalid', 'the user of this access token no longer exists', dpop);
  if (user.disabled === true) return void sendInvalidToken(services, reply, 'invalid', 'the user of this access token has been disabled', dpop);
  return { token, user };
}

/** A protected resource's answer: JSON, never cached (it describes a user). */
export function sendResource(reply: FastifyReply, body: Record<string, unknown>): FastifyReply {
  return reply.header('content-type', JSON_TYPE).header('cache-control', 'no-store').send(JSON.stringify(body));
}
