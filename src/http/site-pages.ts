/**
 * What the site's own pages (console, account, sign-in, setup) share: the
 * signed-in person or a redirect to /login, the 403 of a form whose CSRF
 * token is missing or wrong, and reading form fields.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { User } from '../core/model.js';
import type { Params } from '../core/params.js';
import { MESSAGES } from '../views/i18n.js';
import { renderDocument } from '../views/layout.js';
import { MessagePage } from '../views/oauth-pages.js';
import type { Services } from './context.js';
import { pageContext } from './page-context.js';
import { sendPage } from './send-page.js';
import { csrfFor, csrfValid, currentUser } from './sign-in.js';

export interface SignedIn {
  user: User;
  csrfToken: string;
}

/** A path on this server to return to after signing in; anything else (another origin, `//host`) is home. */
export function localPath(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(value) ? value : '/';
}

/** The signed-in person, or undefined after answering with a redirect to the sign-in page. */
export async function requireUser(services: Services, request: FastifyRequest, reply: FastifyReply): Promise<SignedIn | undefined> {
  const signedIn = await currentUser(services, request);
  if (signedIn === undefined) {
    const next = request.method === 'GET' ? request.url : '/console';
    reply.code(303).header('location', `/login?${new URLSearchParams({ next })}`).header('cache-control', 'no-store').send();
    return undefined;
  }
  reply.header('cache-control', 'no-store');
  return { user: signedIn.user, csrfToken: csrfFor(services, request, reply) };
}

/** RFC 9700 §4.7 / OWASP: a state-changing form without this browser's CSRF token changes nothing. */
export function rejectForgery(services: Services, request: FastifyRequest, reply: FastifyReply, params: Params): FastifyReply | undefined {
  if (csrfValid(services, request, params)) return undefined;
  const ctx = pageContext(request);
  reply.header('cache-control', 'no-store');
  return sendPage(request, reply, renderDocument(MessagePage({ ctx, title: '403', message: MESSAGES[ctx.lang].forbidden })), 403);
}

export function field(params: Params, name: string): string {
  const value = params[name];
  return typeof value === 'string' ? value : '';
}

/** A field that may repeat (checkboxes), as a list. */
export function fields(params: Params, name: string): string[] {
  const value = params[name];
  return value === undefined ? [] : ([] as string[]).concat(value);
}

export function seeOther(reply: FastifyReply, location: string): FastifyReply {
  return reply.code(303).header('location', location).header('cache-control', 'no-store').send();
}
