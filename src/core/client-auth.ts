/**
 * Client authentication at the token, revoke and introspect endpoints
 * (SPEC §1): client_secret_post (form or query, Baidu), client_secret_basic
 * (RFC 6749 §2.3.1), or none for public apps.
 */
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
}

function invalidClient(description: string, triedBasic: boolean, clientId?: string): OAuthError {
  const error = new OAuthError('invalid_client', description);
  error.triedBasic = triedBasic;
  error.clientId = clientId;
  return error;
}

/** Identifies and authenticates the calling app; throws the SPEC §4 error otherwise. */
export async function authenticateClient(apps: Pick<AppStore, 'findApp'>, input: ClientCredentialsInput): Promise<App> {
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
    return app;
  }
  if (secret === undefined || secret === '') throw invalidClient('missing client_secret: this app is confidential', triedBasic, clientId);
  if (!secretMatches(secret, app.secretHash)) throw invalidClient('client_secret is wrong', triedBasic, clientId);
  return app;
}
