/**
 * The last word on every failure that a route did not answer itself: OAuth
 * errors, transport errors (404, 405, 413), malformed requests, the database
 * being away (503) and anything unexpected (500 without a stack trace). How
 * each is delivered, JSON or page, is the route's kind (endpoint.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError, oauthError } from '../core/errors.js';
import { MESSAGES } from '../views/i18n.js';
import { renderDocument } from '../views/layout.js';
import { MessagePage } from '../views/oauth-pages.js';
import type { Services } from './context.js';
import { errorUri, JSON_TYPE, pageHeaders, sendErrorPage, sendJsonError, TransportError } from './errors.js';
import { pageContext } from './page-context.js';
import { isDatabaseUnavailable, unavailableError } from './unavailable.js';

export const BODY_LIMIT = 64 * 1024;

/** Paths whose errors are JSON even when no route matched (SPEC §4: JSON on the OAuth endpoints, a page elsewhere). */
export function isOAuthPath(url: string): boolean {
  return url.startsWith('/oauth/') || url.startsWith('/rest/') || url.startsWith('/.well-known/');
}

export function deliver(services: Services, request: FastifyRequest, reply: FastifyReply, kind: string, error: OAuthError | TransportError): FastifyReply {
  if (error instanceof OAuthError) {
    if (kind === 'page') return sendErrorPage(request, reply, error, error.status);
    return sendJsonError(services, request, reply, error, request.url.split('?', 1)[0]!);
  }
  if (kind === 'page') {
    const t = MESSAGES[pageContext(request).lang];
    const title = error.status === 404 ? t.notFound : error.status === 405 ? t.methodNotAllowed : error.description;
    return pageHeaders(reply)
      .code(error.status)
      .send(renderDocument(MessagePage({ ctx: pageContext(request), title: String(error.status), message: title })));
  }
  return reply
    .code(error.status)
    .header('content-type', JSON_TYPE)
    .header('cache-control', 'no-store')
    .send(JSON.stringify({ error: 'invalid_request', error_description: error.description, error_uri: errorUri(services.config.issuer, 'invalid_request') }));
}

export function installErrorHandlers(app: FastifyInstance, services: Services): void {
  app.setErrorHandler((raw, request, reply) => {
    const kind = request.routeOptions.config?.kind ?? (isOAuthPath(request.url) ? 'json' : 'page');
    let error: OAuthError | TransportError;
    if (raw instanceof OAuthError || raw instanceof TransportError) {
      error = raw;
    } else if ((raw as { statusCode?: number }).statusCode === 413) {
      error = new TransportError(413, `the request body is larger than ${BODY_LIMIT} bytes`);
    } else if (typeof (raw as { statusCode?: number }).statusCode === 'number' && (raw as { statusCode: number }).statusCode < 500) {
      error = oauthError('invalid_request', 'the request is malformed', (raw as Error).message);
    } else if (isDatabaseUnavailable(raw)) {
      // The database is down, read-only or full: 503 and Retry-After, and the server recovers on its own.
      request.log.warn({ reqId: request.id, err: raw }, 'database unavailable');
      error = unavailableError(raw);
    } else {
      // Never a stack trace on the wire: the log has it, with the request id the response carries.
      request.log.error({ reqId: request.id, err: raw }, 'unexpected error');
      error = oauthError('server_error', `the server hit an unexpected condition; request id ${request.id}`);
    }
    return deliver(services, request, reply, kind, error);
  });

  app.setNotFoundHandler((request, reply) => {
    const error = new TransportError(404, `there is no endpoint at ${request.url.split('?', 1)[0]}`);
    return deliver(services, request, reply, isOAuthPath(request.url) ? 'json' : 'page', error);
  });
}
