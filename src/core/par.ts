/**
 * The pushed authorization request endpoint (RFC 9126 §2) and the redemption
 * of its request_uri at the authorization endpoint (§4). The app
 * authenticates exactly as at the token endpoint (client-auth.ts), every
 * check of the authorization endpoint runs at push time (SPEC §8: errors as
 * JSON), and the request_uri is single use, bound to its app, short-lived.
 */
import { AuthorizeFailure, validateAuthorizeRequest, type AuthorizeDeps } from './authorize.js';
import { authenticateClient, type ClientCredentialsInput } from './client-auth.js';
import { OAuthError, oauthError } from './errors.js';
import { nextId } from './ids.js';
import type { Params } from './params.js';
import { single } from './params.js';
import { REQUEST_URI_PREFIX, storedParams, type PushedRequestStore } from './pushed-requests.js';
import { hashSecret, mintSecret, secretMatches } from './tokens.js';

/** Client authentication, never part of the stored authorize request. */
const CREDENTIAL_PARAMS = ['client_secret', 'client_assertion', 'client_assertion_type'];

export interface ParDeps extends AuthorizeDeps {
  requests: Pick<PushedRequestStore, 'savePushedRequest'>;
  ttlSeconds: number;
  now: number;
}

export interface ParResponse {
  request_uri: string;
  expires_in: number;
}

export async function pushAuthorizationRequest(deps: ParDeps, input: ClientCredentialsInput): Promise<ParResponse> {
  const app = await authenticateClient(deps.apps, input);
  try {
    // RFC 9126 §2.1: a request_uri may not itself be pushed; Gatehouse takes no request objects (RFC 9101).
    if (input.params['request_uri'] !== undefined) throw oauthError('invalid_request', 'request_uri may not be pushed: send the authorization parameters themselves');
    if (input.params['request'] !== undefined) throw oauthError('invalid_request', 'the request parameter (a request object, RFC 9101) is not supported: send the parameters themselves');
    const params: Params = { ...input.params, client_id: app.clientId };
    for (const name of CREDENTIAL_PARAMS) delete params[name];
    try {
      // The same ordered checks as the authorization endpoint; a pushed request has no Referer to check.
      await validateAuthorizeRequest(deps, params, undefined, { pushed: true });
    } catch (error) {
      if (error instanceof AuthorizeFailure) throw error.error;
      throw error;
    }
    const secret = mintSecret();
    const id = nextId(deps.now);
    await deps.requests.savePushedRequest({
      id,
      secretHash: hashSecret(secret),
      clientId: app.clientId,
      params: storedParams(params),
      createdAt: deps.now,
      expiresAt: deps.now + deps.ttlSeconds * 1000,
    });
    return { request_uri: `${REQUEST_URI_PREFIX}${id}.${secret}`, expires_in: deps.ttlSeconds };
  } catch (error) {
    if (error instanceof OAuthError) error.clientId ??= app.clientId;
    throw error;
  }
}

function invalidRequestUri(description: string, clientId: string | undefined): AuthorizeFailure {
  const error = oauthError('invalid_request_uri', description);
  error.clientId = clientId;
  // Shown on a page: the redirect_uri inside a request that cannot be had is not trusted.
  return new AuthorizeFailure(error);
}

/**
 * The authorize parameters a request_uri stands for, consumed (RFC 9126 §4):
 * the front channel's own parameters other than client_id and request_uri
 * are ignored. Unknown, guessed, used, expired or another app's →
 * invalid_request_uri; only a request that passes every check is used up.
 */
export async function redeemRequestUri(
  deps: { requests: Pick<PushedRequestStore, 'findPushedRequest' | 'consumePushedRequest'>; now: number },
  params: Params,
): Promise<Params> {
  const clientId = single(params, 'client_id');
  const requestUri = single(params, 'request_uri');
  if (clientId === undefined) throw new AuthorizeFailure(oauthError('invalid_request', 'missing required parameter client_id (RFC 9126 §4: it comes with request_uri)'));
  if (requestUri === undefined) throw invalidRequestUri('missing request_uri', clientId);
  const handle = requestUri.startsWith(REQUEST_URI_PREFIX) ? requestUri.slice(REQUEST_URI_PREFIX.length) : '';
  const dot = handle.indexOf('.');
  const id = Number(handle.slice(0, dot));
  const secret = handle.slice(dot + 1);
  if (dot <= 0 || !Number.isSafeInteger(id) || secret === '') throw invalidRequestUri('request_uri is not one this server issued', clientId);
  const stored = await deps.requests.findPushedRequest(id);
  if (stored === undefined || !secretMatches(secret, stored.secretHash)) throw invalidRequestUri('request_uri is unknown', clientId);
  // Checked before it is used up: another app's request_uri stays usable by its own app.
  if (stored.clientId !== clientId) throw invalidRequestUri('request_uri was pushed by another app', clientId);
  if (stored.expiresAt <= deps.now) throw invalidRequestUri('request_uri has expired', clientId);
  if (stored.consumedAt !== null || !(await deps.requests.consumePushedRequest(id, deps.now))) throw invalidRequestUri('request_uri was already used', clientId);
  return stored.params;
}
