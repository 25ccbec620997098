/**
 * /oauth/2.0/authorize: validate (core), then sign-in and consent pages that
 * post back to the endpoint itself with the request's own parameters, then
 * the redirect back to the app (RFC 6749 §4.1, §4.2; SPEC §6).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthorizeFailure, completeAuthorization, validateAuthorizeRequest, type AuthorizeRequest } from '../../core/authorize.js';
import { oauthError } from '../../core/errors.js';
import type { Params } from '../../core/params.js';
import { scopeCovers } from '../../core/scopes.js';
import { MESSAGES } from '../../views/i18n.js';
import { renderDocument } from '../../views/layout.js';
import { ConsentPage, LoginPage, MessagePage } from '../../views/oauth-pages.js';
import type { RouteModule } from '../context.js';
import { endpoint } from '../endpoint.js';
import { sendAuthorizeFailure } from '../errors.js';
import { pageContext } from '../page-context.js';
import { sendPage } from '../send-page.js';
import { csrfFor, csrfValid, currentUser, signInFromForm } from '../sign-in.js';

export const AUTHORIZE_PATH = '/oauth/2.0/authorize';
/** Fields of our own forms; everything else is the app's request, carried through the forms. */
const FORM_FIELDS = new Set(['csrf_token', '_step', '_t', 'username', 'password', 'decision', 'lang']);

/** The app's own parameters, to post back unchanged with each form. */
function carried(params: Params): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) {
    if (!FORM_FIELDS.has(name) && typeof value === 'string') fields[name] = value;
  }
  return fields;
}

function withParams(path: string, fields: Record<string, string>): string {
  return `${path}?${new URLSearchParams(fields).toString()}`;
}

export const authorizeEndpoint: RouteModule = async (app, { services }) => {
  const { config, stores } = services;
  const validateDeps = {
    apps: stores.apps,
    knownScopes: services.knownScopes,
    redirectPolicy: { allowHttp: config.allowHttpRedirects },
    ownOrigin: new URL(config.issuer).origin,
  };

  const finish = async (reply: FastifyReply, request: AuthorizeRequest, uid: string, session: { authTime: number; sid: string }) => {
    const location = await completeAuthorization(
      { codes: stores.codes, tokens: stores.tokens, lifetimes: config.lifetimes, issuer: config.issuer, now: services.clock.now() },
      request,
      uid,
      session,
    );
    return reply.code(302).header('cache-control', 'no-store').header('location', location).send();
  };

  endpoint(app, AUTHORIZE_PATH, ['GET', 'POST'], 'page', async (request, reply, params) => {
    let authz: AuthorizeRequest;
    try {
      authz = await validateAuthorizeRequest(validateDeps, params, request.headers.referer);
    } catch (error) {
      if (error instanceof AuthorizeFailure) return sendAuthorizeFailure(services, request, reply, error);
      throw error;
    }
    // A page rendered for a POST still switches language with a GET that carries the app's request.
    const ctx = { ...pageContext(request, authz.display), ...(request.method === 'POST' ? { url: withParams(AUTHORIZE_PATH, carried(params)) } : {}) };
    const t = MESSAGES[ctx.lang];
    const step = request.method === 'POST' && typeof params['_step'] === 'string' ? params['_step'] : undefined;
    // Every form post carries the CSRF token of this browser (RFC 9700 §4.7).
    if (step !== undefined && !csrfValid(services, request, params)) {
      reply.header('cache-control', 'no-store');
      return sendPage(request, reply, renderDocument(MessagePage({ ctx, title: '403', message: t.forbidden })), 403);
    }
    reply.header('cache-control', 'no-store');

    // force_login: the password must be typed after this authorization request began.
    const now = services.clock.now();
    const rawStart = Number(params['_t']);
    const startedAt = step !== undefined && Number.isSafeInteger(rawStart) && rawStart <= now ? rawStart : now;
    const hidden = { ...carried(params), _t: String(startedAt) };
    const form = (req: FastifyRequest) => ({ ctx, action: AUTHORIZE_PATH, csrfToken: csrfFor(services, req, reply), hidden });

    let signedIn = await currentUser(services, request);
    let message: string | undefined;
    let status = 200;
    let username: string | undefined;
    if (step === 'login') {
      const result = await signInFromForm(services, request, reply, params);
      if (result.ok) signedIn = { session: result.session, user: result.user };
      else ({ message, status, username } = result);
    }
    if (message !== undefined || signedIn === undefined || (authz.forceLogin && signedIn.session.authTime < startedAt)) {
      return sendPage(request, reply, renderDocument(LoginPage({ ...form(request), appName: authz.app.name, appDomain: authz.app.rootDomain, message, username })), status);
    }
    const { user } = signedIn;

    if (step === 'consent') {
      const decision = params['decision'];
      if (decision === 'deny') {
        const error = oauthError('access_denied', 'the user denied the request');
        error.clientId = authz.app.clientId;
        return sendAuthorizeFailure(services, request, reply, new AuthorizeFailure(error, { redirectUri: authz.redirectUri, mode: authz.responseType === 'token' ? 'fragment' : 'query', state: authz.state }));
      }
      if (decision === 'approve') {
        const previous = await stores.consents.findConsent(user.uid, authz.app.clientId);
        const scope = [...new Set([...(previous?.scope ?? []), ...authz.scope])];
        await stores.consents.saveConsent({ uid: user.uid, clientId: authz.app.clientId, scope }, now);
        return finish(reply, authz, user.uid, signedIn.session);
      }
    }

    // Consent is remembered per user, app and scope set (SPEC §6), unless the app asks to confirm.
    const consent = await stores.consents.findConsent(user.uid, authz.app.clientId);
    if (consent !== undefined && scopeCovers(consent.scope, authz.scope) && !authz.confirmLogin) {
      return finish(reply, authz, user.uid, signedIn.session);
    }
    const allScopes = await stores.scopes.listScopes();
    const scopes = authz.scope.map((name) => allScopes.find((scope) => scope.name === name) ?? { name, description: '' });
    const switchAccountHref = withParams(AUTHORIZE_PATH, { ...carried(params), force_login: '1' });
    return sendPage(
      request,
      reply,
      renderDocument(ConsentPage({ ...form(request), appName: authz.app.name, rootDomain: authz.app.rootDomain, scopes, username: user.username, switchAccountHref })),
    );
  });
};
