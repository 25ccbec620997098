/**
 * Client authentication at the token, PAR, revoke and introspect endpoints
 * (SPEC §1, §8): client_secret_post (form or query, Baidu), client_secret_basic
 * (RFC 6749 §2.3.1), none for public apps, and the JWT assertions of RFC 7523
 * (client-assertion.ts). An app made with a token_endpoint_auth_method is held
 * to that one method; otherwise any it has the material for.
 */
import { assertedClientId, assertionFailure, assertionMethod, JWT_BEARER_ASSERTION, verifyClientAssertion, type AssertionContext } from './client-assertion.js';
import { OAuthError, oauthError } from './errors.js';
import type { App } from './model.js';
import type { AppStore } from './ports.js';
import { single, type Params } from './params.js';
import { secretMatches } from './tokens.js';

export interface BasicCredentials {
  clientId: string;
  clientSecret: string;
}

/** Parses an Authorization header; undefined when it is not Basic, 'malformed' when Basic but unreadable. */
export function parseBasic(header: string | undefined): BasicCredentials | 'malformed' | undefined {
  if (header === undefined) return undefined;
  // The common spelling first, without a regular expression (every token request has one).
  let encoded: string;
  if (header.startsWith('Basic ') && header.charCodeAt(6) > 32) encoded = header.slice(6).trimEnd();
  else {
    const match = /^Basic\s+(.*)$/i.exec(header.trim());
    if (!match) return undefined;
    encoded = match[1]!;
  }
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return 'malformed';
  // RFC 6749 §2.3.1: both halves are form-urlencoded before base64.
  const clientId = formDecode(decoded.slice(0, colon));
  const clientSecret = formDecode(decoded.slice(colon + 1));
  if (clientId === undefined || clientSecret === undefined || clientId === '') return 'malformed';
  return { clientId, clientSecret };
}

function formDecode(value: string): string | undefined {
  // Secrets and ids are unreserved characters (SPEC §2): usually nothing to decode.
  if (!value.includes('%') && !value.includes('+')) return value;
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

export interface ClientCredentialsInput {
  authorization: string | undefined;
  params: Params;
  /** Where JWT client authentication is accepted (SPEC §8): what verifying an assertion needs. */
  assertion?: AssertionContext;
}

function invalidClient(description: string, triedBasic: boolean, clientId?: string): OAuthError {
  const error = new OAuthError('invalid_client', description);
  error.triedBasic = triedBasic;
  error.clientId = clientId;
  return error;
}

/** SPEC §8: an app made with --token-endpoint-auth-method accepts that method only. */
function checkMethod(app: App, used: NonNullable<App['tokenEndpointAuthMethod']>, triedBasic: boolean): void {
  const wanted = app.tokenEndpointAuthMethod;
  if (wanted !== null && wanted !== used) {
    throw invalidClient(`this app authenticates with ${wanted} only, not ${used}`, triedBasic, app.clientId);
  }
}

/** RFC 7521 §4.2 / RFC 7523 §2.2: the client is the assertion's sub, authenticated by its signature. */
async function authenticateAssertion(apps: Pick<AppStore, 'findApp'>, input: ClientCredentialsInput, paramId: string | undefined): Promise<App> {
  const type = single(input.params, 'client_assertion_type');
  const assertion = single(input.params, 'client_assertion');
  if (type === undefined) throw oauthError('invalid_request', 'client_assertion needs client_assertion_type');
  if (assertion === undefined) throw oauthError('invalid_request', 'client_assertion_type needs client_assertion');
  // RFC 6749 §2.3: one authentication method per request.
  if (input.authorization !== undefined && parseBasic(input.authorization) !== undefined) {
    throw oauthError('invalid_request', 'client credentials were sent two ways: HTTP Basic and client_assertion; use one');
  }
  if (single(input.params, 'client_secret') !== undefined) throw oauthError('invalid_request', 'client credentials were sent two ways: client_secret and client_assertion; use one');
  if (type !== JWT_BEARER_ASSERTION) throw assertionFailure(`client_assertion_type must be ${JWT_BEARER_ASSERTION}`, paramId);
  if (input.assertion === undefined) throw assertionFailure('JWT client authentication is not accepted at this endpoint', paramId);
  const clientId = assertedClientId(assertion);
  if (clientId === undefined) throw assertionFailure('client_assertion is not a JWT with a sub (the client_id)', paramId);
  // RFC 7521 §4.2: a client_id sent beside the assertion must name the same client.
  if (paramId !== undefined && paramId !== clientId) throw assertionFailure('the client_id parameter differs from the client_assertion sub', paramId);
  const app = await apps.findApp(clientId);
  if (app === undefined) throw assertionFailure(`unknown client_id ${clientId}`);
  if (app.disabled) throw assertionFailure('this app is disabled', clientId);
  const method = assertionMethod(assertion, clientId);
  checkMethod(app, method, false);
  await verifyClientAssertion(app, method, assertion, input.assertion);
  return app;
}

/** Identifies and authenticates the calling app; throws the SPEC §4 error otherwise. */
export async function authenticateClient(apps: Pick<AppStore, 'findApp'>, input: ClientCredentialsInput): Promise<App> {
  if (input.params['client_assertion'] !== undefined || input.params['client_assertion_type'] !== undefined) {
    return authenticateAssertion(apps, input, single(input.params, 'client_id'));
  }
  const basic = parseBasic(input.authorization);
  const paramId = single(input.params, 'client_id');
  const paramSecret = single(input.params, 'client_secret');
  if (basic === 'malformed') {
    throw invalidClient('the Authorization header is not valid HTTP Basic credentials (base64 of client_id:client_secret)', true);
  }
  if (basic !== undefined) {
    if (paramSecret !== undefined) {
      throw oauthError('invalid_request', 'client credentials were sent two ways: HTTP Basic and the client_secret parameter; use one');
    }
    if (paramId !== undefined && paramId !== basic.clientId) {
      throw oauthError('invalid_request', 'the client_id parameter differs from the client_id in HTTP Basic');
    }
  }
  const clientId = basic?.clientId ?? paramId;
  const secret = basic?.clientSecret ?? paramSecret;
  const triedBasic = basic !== undefined;
  if (clientId === undefined) throw oauthError('invalid_request', 'missing required parameter client_id');

  const app = await apps.findApp(clientId);
  if (app === undefined) throw invalidClient(`unknown client_id ${clientId}`, triedBasic);
  if (app.disabled) throw invalidClient('this app is disabled', triedBasic, clientId);
  if (app.secretHash === null) {
    // A public app has no secret: sending one is a configuration mistake worth naming.
    if (secret !== undefined && secret !== '') throw invalidClient('this app is public and has no client_secret; do not send one', triedBasic, clientId);
    checkMethod(app, 'none', triedBasic);
    return app;
  }
  if (secret === undefined || secret === '') {
    if (app.tokenEndpointAuthMethod === 'private_key_jwt' || app.tokenEndpointAuthMethod === 'client_secret_jwt') {
      throw invalidClient(`missing client_assertion: this app authenticates with ${app.tokenEndpointAuthMethod}`, triedBasic, clientId);
    }
    throw invalidClient('missing client_secret: this app is confidential', triedBasic, clientId);
  }
  if (!secretMatches(secret, app.secretHash)) throw invalidClient('client_secret is wrong', triedBasic, clientId);
  checkMethod(app, triedBasic ? 'client_secret_basic' : 'client_secret_post', triedBasic);
  return app;
}
