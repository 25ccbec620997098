/**
 * How an error reaches the caller, decided in one place from SPEC §4:
 * JSON for the token-style endpoints, RFC 6750 for protected resources, and
 * for the authorize endpoint an HTML page (untrusted app or redirect_uri:
 * never a redirect); the authorize errors that go back to the app are sent by
 * authorization-response.ts, the way every authorization response is.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError, type ErrorCode } from '../core/errors.js';
import { ErrorPage } from '../views/oauth-pages.js';
import { renderDocument } from '../views/layout.js';
import { pageContext, rememberLang } from './page-context.js';
import type { FailureLog } from '../core/failures.js';

export const JSON_TYPE = 'application/json; charset=utf-8';
export const HTML_TYPE = 'text/html; charset=utf-8';

/**
 * A failure of HTTP itself rather than of OAuth: unknown path (404), wrong
 * method (405), body too large (413). Delivered like invalid_request, with
 * its own status.
 */
export class TransportError extends Error {
  constructor(
    readonly status: 404 | 405 | 413,
    readonly description: string,
  ) {
    super(description);
    this.name = 'TransportError';
  }
}

export function errorUri(issuer: string, code: ErrorCode): string {
  return `${issuer}/oauth/2.0/errors/${code}`;
}

export interface ErrorDelivery {
  config: { issuer: string };
  failures: FailureLog;
}

/** Notes a failure for the log line and the console's "recent failures". */
export function noteFailure(deps: ErrorDelivery, request: FastifyRequest, endpoint: string, error: OAuthError): void {
  request.oauthError = error;
  if (error.clientId !== undefined) {
    deps.failures.record({
      clientId: error.clientId,
      endpoint,
      code: error.code,
      description: error.description,
      detail: error.detail,
      at: Date.now(),
      requestId: request.id,
    });
  }
}

/** The JSON error of the token, device, revoke and introspect endpoints. */
export function sendJsonError(deps: ErrorDelivery, request: FastifyRequest, reply: FastifyReply, error: OAuthError, endpoint: string): FastifyReply {
  noteFailure(deps, request, endpoint, error);
  reply.code(error.status).header('content-type', JSON_TYPE).header('cache-control', 'no-store').header('pragma', 'no-cache');
  // RFC 6749 §5.2: 401 with the scheme the client tried.
  if (error.code === 'invalid_client' && error.triedBasic) reply.header('www-authenticate', 'Basic realm="gatehouse"');
  if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter));
  return reply.send(
    JSON.stringify({ error: error.code, error_description: error.description, error_uri: errorUri(deps.config.issuer, error.code) }),
  );
}

/** Security headers for every HTML page (issue: clickjacking, RFC 9700 §4.16). */
export function pageHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-type', HTML_TYPE)
    .header('x-frame-options', 'DENY')
    .header(
      'content-security-policy',
      "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'",
    )
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer');
}

export function sendErrorPage(request: FastifyRequest, reply: FastifyReply, error: OAuthError, status = 400): FastifyReply {
  rememberLang(request, reply);
  pageHeaders(reply).code(status).header('cache-control', 'no-store');
  return reply.send(renderDocument(ErrorPage({ ctx: pageContext(request), code: error.code, description: error.description, requestId: request.id })));
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The OAuth error this request ended with, for the one log line. */
    oauthError?: OAuthError;
  }
}
