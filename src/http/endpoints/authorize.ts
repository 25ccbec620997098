/**
 * /oauth/2.0/authorize: validate (core), then sign-in and consent pages that
 * post back to the endpoint itself with the request's own parameters, then
 * the redirect back to the app (RFC 6749 §4.1, §4.2; SPEC §6).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { selfRegisteredConsent } from '../self-registered.js';
import { AuthorizeFailure, completeAuthorization, validateAuthorizeRequest, type AuthorizeRequest, type IdTokenInput, type SignedInPerson } from '../../core/authorize.js';
import { OAuthError, oauthError } from '../../core/errors.js';
import { hintMatches } from '../../core/id-token-hint.js';
import { mintIdToken } from '../../core/id-token.js';
import type { User } from '../../core/model.js';
import { recordSessionApp } from '../../core/logout.js';
import type { Params } from '../../core/params.js';
import { nextInteraction, type Interaction } from '../../core/prompt.js';
import { scopeCovers } from '../../core/scopes.js';
import { MESSAGES } from '../../views/i18n.js';
import { renderDocument } from '../../views/layout.js';
import { ConsentPage, LoginPage, MessagePage } from '../../views/oauth-pages.js';
import type { RouteModule } from '../context.js';
import { endpoint } from '../endpoint.js';
import { sendAuthorizationResponse, sendAuthorizeFailure } from '../authorization-response.js';
import { pageContext } from '../page-context.js';
import { redeemRequestUri } from '../../core/par.js';
import { continuationFor, isContinuation } from '../pushed-continuation.js';
import { sendPage } from '../send-page.js';
import { csrfFor, csrfValid, currentUser, signInFromForm } from '../sign-in.js';

export const AUTHORIZE_PATH = '/oauth/2.0/authorize';
/** Fields of our own forms; everything else is the app's request, carried through the forms. */
const FORM_FIELDS = new Set(['csrf_token', '_step', '_t', 'username', 'password', 'decision', 'lang', '_par']);

/** The app's own parameters, to post back unchanged with each form (a repeatable one, RFC 8707 `resource`, with every value). */
function carried(params: Params): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(params)) {
    if (!FORM_FIELDS.has(name) && value !== undefined) fields[name] = value;
  }
  return fields;
}

function withParams(path: string, fields: Record<string, string | string[]>): string {
  const pairs = Object.entries(fields).flatMap(([name, value]) => (typeof value === 'string' ? [[name, value]] : value.map((one) => [name, one])));
  return `${path}?${new URLSearchParams(pairs).toString()}`;
}

export const authorizeEndpoint: RouteModule = async (app, { services }) => {
  const { config, stores } = services;
  const validateDeps = {
    apps: stores.apps,
    knownScopes: services.knownScopes,
    redirectPolicy: { allowHttp: config.allowHttpRedirects },
    ownOrigin: new URL(config.issuer).origin,
  };

  const finish = async (request: FastifyRequest, reply: FastifyReply, authz: AuthorizeRequest, user: User, person: SignedInPerson) => {
    const now = services.clock.now();
    // This session signed in to the app: its logout reaches the app (SPEC §7 "Logout").
    await recordSessionApp(stores, person, authz.app.clientId, now);
    // The implicit id_token (SPEC §7): oidc-tokens' builder, with at_hash beside an access token.
    const idToken = (input: IdTokenInput) =>
      mintIdToken(
        { signer: services.signer, issuer: config.issuer, lifetimes: config.lifetimes, openidKey: services.openidKey, now },
        {
          app: input.app,
          user,
          signIn: { ...(input.nonce !== undefined ? { nonce: input.nonce } : {}), authTime: input.authTime, sid: input.sid },
          scope: input.scope,
          ...(input.accessToken !== undefined ? { accessToken: input.accessToken } : {}),
        },
      );
    const response = await completeAuthorization(
      { codes: stores.codes, tokens: stores.tokens, lifetimes: config.lifetimes, issuer: config.issuer, now, idToken, jwt: { signer: services.signer, issuer: config.issuer } },
      authz,
      person,
    );
    return sendAuthorizationResponse(request, reply, response);
  };
  /** An error for the app once the request is trusted (access_denied, the prompt=none errors). */
  const backToApp = (request: FastifyRequest, reply: FastifyReply, authz: AuthorizeRequest, error: OAuthError) => {
    error.clientId = authz.app.clientId;
    const failure = new AuthorizeFailure(error, { redirectUri: authz.redirectUri, mode: authz.responseMode, state: authz.state });
    return sendAuthorizeFailure(services, request, reply, failure);
  };

  endpoint(app, AUTHORIZE_PATH, ['GET', 'POST'], 'page', async (request, reply, frontChannel) => {
    let authz: AuthorizeRequest;
    let params = frontChannel;
    // RFC 9126 §4: a request_uri stands for the pushed request, used up now; its forms carry it on (pushed-continuation.ts).
    let pushed = isContinuation(services, carried(frontChannel), frontChannel['_par'], services.clock.now());
    try {
      if (frontChannel['request_uri'] !== undefined) {
        const own = Object.fromEntries(Object.entries(frontChannel).filter(([name]) => FORM_FIELDS.has(name) && name !== '_par'));
        params = { ...own, ...(await redeemRequestUri({ requests: stores.pushedRequests, now: services.clock.now() }, frontChannel)) };
        pushed = true;
      }
      authz = await validateAuthorizeRequest(validateDeps, params, request.headers.referer, { pushed });
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
    const hidden = { ...carried(params), _t: String(startedAt), ...(pushed ? { _par: continuationFor(services, carried(params), now) } : {}) };
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
    if (message !== undefined) {
      return sendPage(request, reply, renderDocument(LoginPage({ ...form(request), appName: authz.app.name, appDomain: authz.app.rootDomain, message, username })), status);
    }

    // What the person must still do (SPEC §6, §7 "Prompt and age"); with prompt=none, an error for the app.
    const consent = signedIn && (await stores.consents.findConsent(signedIn.user.uid, authz.app.clientId));
    let next: Interaction;
    try {
      next = nextInteraction(authz, {
        authTime: signedIn?.session.authTime,
        hintMatches:
          authz.idTokenHint === undefined
            ? undefined
            : signedIn !== undefined &&
              (await hintMatches({ signer: services.signer, issuer: config.issuer, openidKey: services.openidKey }, authz.app, authz.idTokenHint, signedIn.user.uid)),
        consentCovers: consent !== undefined && scopeCovers(consent.scope, authz.scope),
        startedAt,
        now,
      });
    } catch (error) {
      if (error instanceof OAuthError) return backToApp(request, reply, authz, error);
      throw error;
    }
    if (next === 'login' || signedIn === undefined) {
      return sendPage(request, reply, renderDocument(LoginPage({ ...form(request), appName: authz.app.name, appDomain: authz.app.rootDomain, username })), status);
    }
    const { user, session } = signedIn;
    const person: SignedInPerson = { uid: user.uid, authTime: session.authTime, sid: session.sid };

    if (step === 'consent') {
      const decision = params['decision'];
      if (decision === 'deny') return backToApp(request, reply, authz, oauthError('access_denied', 'the user denied the request'));
      if (decision === 'approve') {
        const scope = [...new Set([...(consent?.scope ?? []), ...authz.scope])];
        await stores.consents.saveConsent({ uid: user.uid, clientId: authz.app.clientId, scope }, now);
        return finish(request, reply, authz, user, person);
      }
    }

    // Consent is remembered per user, app and scope set (SPEC §6), unless the app asks to confirm.
    if (next === 'done') return finish(request, reply, authz, user, person);
    const allScopes = await stores.scopes.listScopes();
    const scopes = authz.scope.map((name) => allScopes.find((scope) => scope.name === name) ?? { name, description: '' });
    const switchAccountHref = withParams(AUTHORIZE_PATH, { ...carried(params), force_login: '1' });
    return sendPage(
      request,
      reply,
      renderDocument(
        ConsentPage({
          ...form(request),
          appName: authz.app.name,
          rootDomain: authz.app.rootDomain,
          scopes,
          username: user.username,
          switchAccountHref,
          showClaims: authz.scope.includes('openid'),
          ...selfRegisteredConsent(authz.app, authz.redirectUri),
        }),
      ),
    );
  });
};
