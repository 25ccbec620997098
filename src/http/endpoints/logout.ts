/**
 * /oauth/2.0/logout (SPEC §7 "Logout", RP-Initiated Logout 1.0): GET or POST
 * with id_token_hint, client_id, post_logout_redirect_uri, state, ui_locales.
 *
 * The person always confirms first (a form with this browser's CSRF token and
 * `decision=logout`); only that confirmation ends the session: the cookie is
 * cleared and every app the session signed in to is queued a back-channel
 * logout (core/logout.ts endSession; the rows are committed before this
 * answers, the sending happens in the background). Then the browser goes to
 * post_logout_redirect_uri, with state, only when that URI is registered
 * exactly for the app named by client_id or by the hint's aud; otherwise it
 * sees the signed-out page. A hint that does not verify (another issuer, a
 * forged signature, an unknown kid) counts as no hint; a client_id that
 * disagrees with a hint that does verify is an error page, never a redirect.
 */
import type { FastifyRequest } from 'fastify';
import { oauthError } from '../../core/errors.js';
import { endSession, postLogoutLocation } from '../../core/logout.js';
import type { App } from '../../core/model.js';
import type { Params } from '../../core/params.js';
import { LANGS, type Lang } from '../../views/i18n.js';
import { renderDocument } from '../../views/layout.js';
import { LogoutConfirmPage, SignedOutPage } from '../../views/logout-pages.js';
import { MESSAGES } from '../../views/i18n.js';
import { MessagePage } from '../../views/oauth-pages.js';
import type { RouteModule, Services } from '../context.js';
import { parseCookies } from '../cookies.js';
import { endpoint } from '../endpoint.js';
import { sendErrorPage } from '../errors.js';
import { pageContext } from '../page-context.js';
import { sendPage } from '../send-page.js';
import { csrfFor, csrfValid } from '../sign-in.js';

export const LOGOUT_PATH = '/oauth/2.0/logout';

/** The app's request parameters, carried through the confirmation form. */
const CARRIED = ['id_token_hint', 'client_id', 'post_logout_redirect_uri', 'state', 'ui_locales'] as const;

/** A parameter given once (a repeated one counts as absent). */
function single(params: Params, name: string): string | undefined {
  const value = params[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** OIDC ui_locales: space-separated BCP 47 tags, preferred first; the first we speak wins. */
export function langFromUiLocales(value: string | undefined): Lang | undefined {
  for (const tag of (value ?? '').split(' ')) {
    const lower = tag.toLowerCase();
    if (lower === '') continue;
    if (lower.startsWith('zh')) return 'zh-CN';
    if (lower === 'en' || lower.startsWith('en-')) return 'en';
    const exact = LANGS.find((lang) => lang.toLowerCase() === lower);
    if (exact !== undefined) return exact;
  }
  return undefined;
}

/**
 * The client the hint was issued to, when the hint is an id_token this server signed
 * (even expired, while its key is published); undefined for anything else.
 */
async function hintAudience(services: Services, hint: string | undefined): Promise<string | undefined> {
  if (hint === undefined || hint.length > 16_384) return undefined;
  let verified: Awaited<ReturnType<Services['signer']['verify']>>;
  try {
    verified = await services.signer.verify(hint);
  } catch {
    return undefined;
  }
  if (verified === undefined) return undefined;
  const { header, payload } = verified;
  // An id_token: typ JWT (or none), our issuer; not a logout token or another JWT of ours.
  if (header['typ'] !== undefined && header['typ'] !== 'JWT') return undefined;
  if (payload['iss'] !== services.config.issuer || payload['events'] !== undefined) return undefined;
  const aud = payload['aud'];
  if (typeof aud === 'string') return aud;
  if (Array.isArray(aud) && aud.every((entry) => typeof entry === 'string')) {
    const azp = payload['azp'];
    if (typeof azp === 'string' && aud.includes(azp)) return azp;
    if (aud.length === 1) return aud[0] as string;
  }
  return undefined;
}

export const logoutEndpoint: RouteModule = async (app, { services }) => {
  const { stores } = services;

  endpoint(app, LOGOUT_PATH, ['GET', 'POST'], 'page', async (request, reply, params) => {
    reply.header('cache-control', 'no-store');
    const carried: Record<string, string> = {};
    for (const name of CARRIED) {
      const value = single(params, name);
      if (value !== undefined) carried[name] = value;
    }
    const ctx = pageFor(request, carried);

    const audience = await hintAudience(services, carried['id_token_hint']);
    const clientIdParam = carried['client_id'];
    if (clientIdParam !== undefined && audience !== undefined && clientIdParam !== audience) {
      return sendErrorPage(request, reply, oauthError('invalid_request', 'client_id does not match the audience of id_token_hint'));
    }
    const clientId = clientIdParam ?? audience;
    const found = clientId === undefined ? undefined : await stores.apps.findApp(clientId);
    const logoutApp: App | undefined = found !== undefined && !found.disabled ? found : undefined;

    if (request.method === 'POST' && params['decision'] === 'logout') {
      // RFC 9700 §4.7: a confirmation without this browser's CSRF token changes nothing.
      if (!csrfValid(services, request, params)) {
        return sendPage(request, reply, renderDocument(MessagePage({ ctx, title: '403', message: MESSAGES[ctx.lang].forbidden })), 403);
      }
      const now = services.clock.now();
      const session = services.cookies.readSession(parseCookies(request.headers.cookie), now);
      if (session !== undefined) await endSession(stores, session, now);
      reply.header('set-cookie', services.cookies.clearSessionCookie());
      const location = postLogoutLocation(logoutApp, carried['post_logout_redirect_uri'], carried['state']);
      if (location !== undefined) return reply.code(303).header('location', location).send();
      return sendPage(request, reply, renderDocument(SignedOutPage({ ctx, appName: logoutApp?.name })));
    }

    const session = services.cookies.readSession(parseCookies(request.headers.cookie), services.clock.now());
    const user = session === undefined ? undefined : await stores.users.findUserByUid(session.uid);
    return sendPage(
      request,
      reply,
      renderDocument(
        LogoutConfirmPage({
          ctx,
          action: LOGOUT_PATH,
          csrfToken: csrfFor(services, request, reply),
          hidden: carried,
          appName: logoutApp?.name,
          username: user?.username,
        }),
      ),
    );
  });
};

/** ?lang (the page's own switch) wins, then ui_locales, then the cookie and Accept-Language; a POST's language links carry the request. */
function pageFor(request: FastifyRequest, carried: Record<string, string>) {
  const base = pageContext(request);
  const query = request.query as Record<string, unknown> | undefined;
  const body = request.body as Record<string, unknown> | undefined;
  const explicit = typeof query?.['lang'] === 'string' || typeof body?.['lang'] === 'string';
  const fromUi = explicit ? undefined : langFromUiLocales(carried['ui_locales']);
  const url = request.method === 'POST' ? `${LOGOUT_PATH}?${new URLSearchParams(carried).toString()}` : base.url;
  return { ...base, ...(fromUi === undefined ? {} : { lang: fromUi }), url };
}
