/** Sending an HTML page: the security headers of every page, and an explicit ?lang= choice remembered in a cookie (SPEC §6). */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { pageHeaders } from './errors.js';
import { rememberLang } from './page-context.js';

export function sendPage(request: FastifyRequest, reply: FastifyReply, html: string, status = 200): FastifyReply {
  rememberLang(request, reply);
  return pageHeaders(reply).code(status).send(html);
}
