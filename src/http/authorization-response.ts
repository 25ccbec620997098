/**
 * Delivering an authorization response or error to the app (SPEC §7): a 302
 * with the parameters in the query or fragment, or, for
 * response_mode=form_post, a 200 page whose form posts them to the
 * redirect_uri (OAuth 2.0 Form Post Response Mode §2).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorResponse, responseLocation, type AuthorizationResponse, type AuthorizeFailure } from '../core/authorize.js';
import { renderDocument } from '../views/layout.js';
import { FormPostPage } from '../views/oauth-pages.js';
import { errorUri, noteFailure, sendErrorPage, type ErrorDelivery } from './errors.js';
import { pageContext } from './page-context.js';
import { sendPage } from './send-page.js';

export function sendAuthorizationResponse(request: FastifyRequest, reply: FastifyReply, response: AuthorizationResponse): FastifyReply {
  reply.header('cache-control', 'no-store');
  if (response.mode !== 'form_post') return reply.code(302).header('location', responseLocation(response)).send();
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.params)) if (value !== undefined) fields[name] = value;
  const url = new URL(response.target);
  const destination = url.protocol === 'https:' || url.protocol === 'http:' ? url.host : url.protocol.slice(0, -1);
  // The page must not be cached or framed: it carries a code or tokens (no-store above, DENY from pageHeaders).
  reply.header('pragma', 'no-cache');
  return sendPage(request, reply, renderDocument(FormPostPage({ ctx: pageContext(request), action: response.target, fields, destination })));
}

/** SPEC §4, authorize endpoint: a page until the app and redirect_uri are trusted, then back to the app with state and iss. */
export function sendAuthorizeFailure(deps: ErrorDelivery, request: FastifyRequest, reply: FastifyReply, failure: AuthorizeFailure): FastifyReply {
  noteFailure(deps, request, 'authorize', failure.error);
  const response = errorResponse(failure, deps.config.issuer, errorUri(deps.config.issuer, failure.error.code));
  if (response === undefined) return sendErrorPage(request, reply, failure.error);
  return sendAuthorizationResponse(request, reply, response);
}
