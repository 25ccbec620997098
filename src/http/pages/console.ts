/**
 * The developer console (issue 4): a signed-in person's apps. Only the app's
 * owner sees or changes it (anyone else gets the same 404 as for an app that
 * does not exist). The Secret Key appears only in the response that created
 * or rotated it; every change is a POST carrying the CSRF token.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppInputError, parseGraceSeconds, registerApp, rotateSecret, setAppDisabled, updateApp, type AppInput } from '../../core/apps.js';
import { changeContext } from '../change-context.js';
import type { App } from '../../core/model.js';
import type { Params } from '../../core/params.js';
import { AppPage, ConsolePage, NEW_APP_VALUES, NewAppPage, type AppFormValues } from '../../views/console-pages.js';
import { AuditLogPage } from '../../views/audit-pages.js';
import { SITE_MESSAGES } from '../../views/i18n-site.js';
import { renderDocument } from '../../views/layout.js';
import { MessagePage } from '../../views/oauth-pages.js';
import type { RouteModule } from '../context.js';
import { endpoint } from '../endpoint.js';
import { pageContext } from '../page-context.js';
import { sendPage } from '../send-page.js';
import { field, fields, rejectForgery, requireUser, seeOther, type SignedIn } from '../site-pages.js';

const appPath = (clientId: string) => `/console/apps/${encodeURIComponent(clientId)}`;

/** The form as typed, for re-display when it is refused. */
function formValues(params: Params, isPublic: boolean): AppFormValues {
  return {
    name: field(params, 'name'),
    rootDomain: field(params, 'root_domain'),
    redirectUris: field(params, 'redirect_uris').split(/\r?\n/).map((uri) => uri.trim()).filter((uri) => uri !== ''),
    grantTypes: fields(params, 'grant_types'),
    responseTypes: fields(params, 'response_types'),
    scopes: fields(params, 'scopes'),
    isPublic,
    subjectType: field(params, 'subject_type'),
    idTokenAlg: field(params, 'id_token_signed_response_alg'),
    postLogoutRedirectUris: lines(field(params, 'post_logout_redirect_uris')),
    backchannelLogoutUri: field(params, 'backchannel_logout_uri').trim(),
    // SPEC §8.
    resources: lines(field(params, 'resources')),
    accessTokenFormat: field(params, 'access_token_format'),
    requireDpop: field(params, 'require_dpop') === '1',
    refreshGrace: field(params, 'refresh_grace').trim(),
    tokenEndpointAuthMethod: field(params, 'token_endpoint_auth_method'),
    jwks: field(params, 'jwks').trim(),
    jwksUri: field(params, 'jwks_uri').trim(),
    requirePar: field(params, 'require_par') === '1',
  };
}

const lines = (text: string): string[] => text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '');

/** SPEC §8 settings as the form sends them: an empty field is "none" (any method, no keys). */
function clientAuthInput(values: Pick<AppFormValues, 'tokenEndpointAuthMethod' | 'jwks' | 'jwksUri'>) {
  return {
    tokenEndpointAuthMethod: values.tokenEndpointAuthMethod === '' ? null : values.tokenEndpointAuthMethod,
    jwks: values.jwks === '' ? null : values.jwks,
    jwksUri: values.jwksUri === '' ? null : values.jwksUri,
  };
}

function appInput(values: AppFormValues, ownerUid: string): AppInput {
  // An empty select (an old form, a script) means the default, as at the command line.
  const { subjectType, idTokenAlg, backchannelLogoutUri, accessTokenFormat, refreshGrace, tokenEndpointAuthMethod, jwks, jwksUri, ...rest } = values;
  return {
    ...rest,
    ...clientAuthInput({ tokenEndpointAuthMethod, jwks, jwksUri }),
    ownerUid,
    ...(accessTokenFormat !== '' ? { accessTokenFormat } : {}),
    ...(refreshGrace !== '' ? { refreshGrace: parseGraceSeconds(refreshGrace) } : {}),
    ...(subjectType !== '' ? { subjectType } : {}),
    ...(idTokenAlg !== '' ? { idTokenAlg } : {}),
    backchannelLogoutUri: backchannelLogoutUri === '' ? null : backchannelLogoutUri,
  };
}

export const consolePages: RouteModule = async (app, { services }) => {
  const { stores } = services;

  /** The page's language links must lead to a page that answers GET, whatever URL rendered it. */
  const ctxAt = (request: FastifyRequest, url: string) => ({ ...pageContext(request), url });
  const base = (request: FastifyRequest, who: SignedIn, url: string) => ({ ctx: ctxAt(request, url), username: who.user.username, csrfToken: who.csrfToken });

  /** The app if this person owns it; else a 404 page has been sent. */
  const ownApp = async (request: FastifyRequest, reply: FastifyReply, who: SignedIn): Promise<App | undefined> => {
    const clientId = (request.params as { id: string }).id;
    const found = await stores.apps.findApp(clientId);
    if (found !== undefined && found.ownerUid === who.user.uid) return found;
    const ctx = pageContext(request);
    sendPage(request, reply, renderDocument(MessagePage({ ctx, title: '404', message: SITE_MESSAGES[ctx.lang].notYourApp })), 404);
    return undefined;
  };

  const showApp = async (
    request: FastifyRequest,
    reply: FastifyReply,
    who: SignedIn,
    shown: App,
    extra: { secret?: string; values?: AppFormValues; error?: string; notice?: string; status?: number } = {},
  ) => {
    const [scopes, failures] = await Promise.all([stores.scopes.listScopes(), services.failures.recent(shown.clientId)]);
    const html = renderDocument(AppPage({ ...base(request, who, appPath(shown.clientId)), app: shown, scopes, failures, ...extra }));
    return sendPage(request, reply, html, extra.status ?? 200);
  };

  endpoint(app, '/console', ['GET'], 'page', async (request, reply) => {
    const who = await requireUser(services, request, reply);
    if (!who) return reply;
    const apps = (await stores.apps.listApps({ ownerUid: who.user.uid })).sort((a, b) => b.createdAt - a.createdAt);
    return sendPage(request, reply, renderDocument(ConsolePage({ ...base(request, who, '/console'), apps })));
  });

  // The audit events of this person's apps and of their own changes, newest first.
  endpoint(app, '/console/audit', ['GET'], 'page', async (request, reply) => {
    const who = await requireUser(services, request, reply);
    if (!who) return reply;
    const appIds = (await stores.apps.listApps({ ownerUid: who.user.uid })).map((own) => own.clientId);
    const events = await stores.audit.listEvents({ limit: 200, involving: { actor: { type: 'user', id: who.user.uid }, appIds } });
    return sendPage(request, reply, renderDocument(AuditLogPage({ ...base(request, who, '/console/audit'), events })));
  });

  endpoint(app, '/console/apps/new', ['GET'], 'page', async (request, reply) => {
    const who = await requireUser(services, request, reply);
    if (!who) return reply;
    const scopes = await stores.scopes.listScopes();
    return sendPage(request, reply, renderDocument(NewAppPage({ ...base(request, who, '/console/apps/new'), values: NEW_APP_VALUES, scopes })));
  });

  endpoint(app, '/console/apps', ['POST'], 'page', async (request, reply, params) => {
    const who = await requireUser(services, request, reply);
    if (!who) return reply;
    const forged = rejectForgery(services, request, reply, params);
    if (forged) return forged;
    const values = formValues(params, field(params, 'public') === '1');
    try {
      const ctx = changeContext(services, request, { type: 'user', id: who.user.uid });
      const { app: created, clientSecret } = await registerApp({ audit: stores.audit, clientKeys: services.clientKeys }, appInput(values, who.user.uid), await services.knownScopes(), ctx);
      return showApp(request, reply, who, created, { ...(clientSecret === undefined ? {} : { secret: clientSecret }), status: 201 });
    } catch (error) {
      if (!(error instanceof AppInputError)) throw error;
      const scopes = await stores.scopes.listScopes();
      const html = renderDocument(NewAppPage({ ...base(request, who, '/console/apps/new'), values, scopes, error: error.message }));
      return sendPage(request, reply, html, 400);
    }
  });

  endpoint(app, '/console/apps/:id', ['GET', 'POST'], 'page', async (request, reply, params) => {
    const who = await requireUser(services, request, reply);
    if (!who) return reply;
    if (request.method === 'POST') {
      const forged = rejectForgery(services, request, reply, params);
      if (forged) return forged;
    }
    const own = await ownApp(request, reply, who);
    if (!own) return reply;
    if (request.method === 'GET') return showApp(request, reply, who, own);
    // Settings: the same rules as registration; public/confidential and resource server stay as they are.
    const values = formValues(params, own.isPublic);
    try {
      const { name, rootDomain, redirectUris, grantTypes, responseTypes, scopes, postLogoutRedirectUris } = values;
      // A select left empty keeps the app's value; an empty back-channel field removes it.
      const oidc = {
        ...(values.subjectType !== '' ? { subjectType: values.subjectType } : {}),
        ...(values.idTokenAlg !== '' ? { idTokenAlg: values.idTokenAlg } : {}),
        postLogoutRedirectUris,
        backchannelLogoutUri: values.backchannelLogoutUri === '' ? null : values.backchannelLogoutUri,
        // SPEC §8: an empty select keeps the app's format.
        resources: values.resources,
        ...(values.accessTokenFormat !== '' ? { accessTokenFormat: values.accessTokenFormat } : {}),
        requireDpop: values.requireDpop,
        ...(values.refreshGrace !== '' ? { refreshGrace: parseGraceSeconds(values.refreshGrace) } : {}),
      };
      const ctx = changeContext(services, request, { type: 'user', id: who.user.uid });
      const auth = { ...clientAuthInput(values), requirePar: values.requirePar };
      await updateApp(stores, own.clientId, { name, rootDomain, redirectUris, grantTypes, responseTypes, scopes, ...oidc, ...auth }, await services.knownScopes(), ctx);
    } catch (error) {
      if (!(error instanceof AppInputError)) throw error;
      return showApp(request, reply, who, own, { values, error: error.message, status: 400 });
    }
    const updated = (await stores.apps.findApp(own.clientId)) ?? own;
    return showApp(request, reply, who, updated, { notice: SITE_MESSAGES[pageContext(request).lang].appSaved });
  });

  /** A POST that changes one of the person's own apps: signed in, CSRF token, owner — else nothing changes. */
  const onOwnApp = (action: string, change: (request: FastifyRequest, reply: FastifyReply, who: SignedIn, own: App) => Promise<unknown>) =>
    endpoint(app, `/console/apps/:id/${action}`, ['POST'], 'page', async (request, reply, params) => {
      const who = await requireUser(services, request, reply);
      if (!who) return reply;
      const forged = rejectForgery(services, request, reply, params);
      if (forged) return forged;
      const own = await ownApp(request, reply, who);
      if (!own) return reply;
      return change(request, reply, who, own);
    });

  onOwnApp('rotate', async (request, reply, who, own) => {
    if (own.isPublic) return seeOther(reply, appPath(own.clientId));
    const secret = await rotateSecret({ audit: stores.audit, apps: stores.apps, clientKeys: services.clientKeys }, own.clientId, changeContext(services, request, { type: 'user', id: who.user.uid }));
    return showApp(request, reply, who, own, { secret });
  });
  for (const [action, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    onOwnApp(action, async (request, reply, who, own) => {
      await setAppDisabled(stores, own.clientId, disabled, changeContext(services, request, { type: 'user', id: who.user.uid }));
      return seeOther(reply, appPath(own.clientId));
    });
  }
};
