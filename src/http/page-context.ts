/** The language and display of a page, from the request (SPEC §6: ?lang, cookie, Accept-Language). */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isLang, pickLang } from '../views/i18n.js';
import type { PageContext } from '../views/layout.js';
import { LANG_COOKIE, langCookie, parseCookies } from './cookies.js';

export function pageContext(request: FastifyRequest, display?: string): PageContext {
  const query = request.query as Record<string, unknown> | undefined;
  const body = request.body as Record<string, unknown> | undefined;
  const asString = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const lang = pickLang(
    asString(query?.['lang']) ?? asString(body?.['lang']),
    parseCookies(request.headers.cookie)[LANG_COOKIE],
    request.headers['accept-language'],
  );
  return { lang, url: request.url, display: display ?? asString(query?.['display']) ?? asString(body?.['display']) };
}

/** An explicit ?lang= choice is remembered in a cookie (SPEC §6), whichever page it was made on. */
export function rememberLang(request: FastifyRequest, reply: FastifyReply): void {
  const lang = (request.query as Record<string, unknown> | undefined)?.['lang'];
  if (isLang(lang)) reply.header('set-cookie', langCookie(lang));
}
