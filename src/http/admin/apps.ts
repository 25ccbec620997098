/** /admin/v1/apps: the same core functions as the CLI and the console (core/apps.ts), with the admin app as actor. */
import { deleteApp, registerApp, rotateSecret, setAppDisabled, updateApp, type AppSettings } from '../../core/apps.js';
import { NotFoundError } from '../../core/audit.js';
import type { FailureRecord } from '../../core/failures.js';
import type { App } from '../../core/model.js';
import type { Kit, ListQuery } from './kit.js';
import * as S from './schemas.js';
import { appJson, failureJson } from './wire.js';

interface AppBody {
  name?: string;
  root_domain?: string;
  redirect_uris?: string[];
  grant_types?: string[];
  response_types?: string[];
  scopes?: string[];
  resource_server?: boolean;
  subject_type?: string;
  id_token_signed_response_alg?: string;
  post_logout_redirect_uris?: string[];
  backchannel_logout_uri?: string | null;
  token_endpoint_auth_method?: string | null;
  jwks?: Record<string, unknown> | null;
  jwks_uri?: string | null;
  require_pushed_authorization_requests?: boolean;
  resources?: string[];
  access_token_format?: string;
  require_dpop?: boolean;
  refresh_grace?: number;
  public?: boolean;
  disabled?: boolean;
}

function settings(body: AppBody): AppSettings & { name: string; rootDomain: string } {
  const out: AppSettings = {};
  if (body.name !== undefined) out.name = body.name;
  if (body.root_domain !== undefined) out.rootDomain = body.root_domain;
  if (body.redirect_uris !== undefined) out.redirectUris = body.redirect_uris;
  if (body.grant_types !== undefined) out.grantTypes = body.grant_types;
  if (body.response_types !== undefined) out.responseTypes = body.response_types;
  if (body.scopes !== undefined) out.scopes = body.scopes;
  if (body.resource_server !== undefined) out.isResourceServer = body.resource_server;
  if (body.subject_type !== undefined) out.subjectType = body.subject_type;
  if (body.id_token_signed_response_alg !== undefined) out.idTokenAlg = body.id_token_signed_response_alg;
  if (body.post_logout_redirect_uris !== undefined) out.postLogoutRedirectUris = body.post_logout_redirect_uris;
  if (body.backchannel_logout_uri !== undefined) out.backchannelLogoutUri = body.backchannel_logout_uri;
  if (body.token_endpoint_auth_method !== undefined) out.tokenEndpointAuthMethod = body.token_endpoint_auth_method;
  if (body.jwks !== undefined) out.jwks = body.jwks;
  if (body.jwks_uri !== undefined) out.jwksUri = body.jwks_uri;
  if (body.require_pushed_authorization_requests !== undefined) out.requirePar = body.require_pushed_authorization_requests;
  if (body.resources !== undefined) out.resources = body.resources;
  if (body.access_token_format !== undefined) out.accessTokenFormat = body.access_token_format;
  if (body.require_dpop !== undefined) out.requireDpop = body.require_dpop;
  if (body.refresh_grace !== undefined) out.refreshGrace = body.refresh_grace;
  if (body.disabled !== undefined) out.disabled = body.disabled;
  return out as AppSettings & { name: string; rootDomain: string };
}

const isAppPosition = (value: unknown): value is [number, string] =>
  Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && typeof value[1] === 'string';
const isFailurePosition = (value: unknown): value is [number, string] => isAppPosition(value);

export function appRoutes(kit: Kit): void {
  const { services, op } = kit;
  const { stores } = services;
  type ById = { Params: { client_id: string } };
  const found = async (clientId: string): Promise<App> => {
    const app = await stores.apps.findApp(clientId);
    if (app === undefined) throw new NotFoundError('app', clientId);
    return app;
  };

  op({
    method: 'GET',
    url: '/apps',
    operationId: 'listApps',
    summary: 'List apps, oldest first',
    tag: 'apps',
    query: S.listQuery,
    ok: { status: 200, schema: S.page(S.app, 'apps'), description: 'a page of apps' },
    handler: async (request) => {
      const { limit, cursor } = request.query as ListQuery;
      const at = kit.position('apps', cursor, isAppPosition);
      const rows = await stores.apps.listApps({ limit: limit + 1, ...(at ? { after: { createdAt: at[0], clientId: at[1] } } : {}) });
      return kit.page('apps', rows, limit, appJson, (app) => [app.createdAt, app.clientId]);
    },
  });

  op({
    method: 'POST',
    url: '/apps',
    operationId: 'createApp',
    summary: 'Register an app; the Secret Key is answered once, here',
    tag: 'apps',
    body: S.appCreate,
    ok: { status: 201, schema: S.appWithSecret, description: 'the app, with its Secret Key (absent for public apps)' },
    handler: async (request, reply) => {
      const body = request.body as AppBody;
      const { app, clientSecret } = await registerApp({ audit: stores.audit, clientKeys: services.clientKeys }, { ...settings(body), isPublic: body.public === true }, await services.knownScopes(), kit.ctx(request));
      return reply.code(201).send({ ...appJson(app), ...(clientSecret === undefined ? {} : { client_secret: clientSecret }) });
    },
  });

  op({
    method: 'GET',
    url: '/apps/:client_id',
    operationId: 'getApp',
    summary: 'Read an app (never its secret)',
    tag: 'apps',
    params: S.clientIdParams,
    ok: { status: 200, schema: S.app, description: 'the app' },
    problems: [404],
    handler: async (request) => appJson(await found((request as unknown as { params: ById['Params'] }).params.client_id)),
  });

  op({
    method: 'PATCH',
    url: '/apps/:client_id',
    operationId: 'updateApp',
    summary: 'Change the settings sent; the others stay',
    tag: 'apps',
    params: S.clientIdParams,
    body: S.appPatch,
    ok: { status: 200, schema: S.app, description: 'the app as it now is' },
    problems: [404],
    handler: async (request) => {
      const { client_id } = request.params as ById['Params'];
      const app = await updateApp({ audit: stores.audit, apps: stores.apps }, client_id, settings(request.body as AppBody), await services.knownScopes(), kit.ctx(request));
      return appJson(app);
    },
  });

  op({
    method: 'DELETE',
    url: '/apps/:client_id',
    operationId: 'deleteApp',
    summary: 'Delete an app: its tokens stop working, its consents are forgotten',
    tag: 'apps',
    params: S.clientIdParams,
    ok: { status: 204, description: 'deleted' },
    problems: [404],
    handler: async (request, reply) => {
      await deleteApp(stores, (request.params as ById['Params']).client_id, kit.ctx(request));
      return reply.code(204).send();
    },
  });

  for (const [action, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    op({
      method: 'POST',
      url: `/apps/:client_id/${action}`,
      operationId: `${action}App`,
      summary: disabled ? 'Disable an app: no token, no authorization' : 'Enable a disabled app',
      tag: 'apps',
      params: S.clientIdParams,
      ok: { status: 200, schema: S.app, description: 'the app as it now is' },
      problems: [404],
      handler: async (request) => {
        const { client_id } = request.params as ById['Params'];
        await setAppDisabled(stores, client_id, disabled, kit.ctx(request));
        return appJson(await found(client_id));
      },
    });
  }

  op({
    method: 'POST',
    url: '/apps/:client_id/rotate-secret',
    operationId: 'rotateAppSecret',
    summary: 'A new Secret Key, answered once; the old one stops working at once',
    tag: 'apps',
    params: S.clientIdParams,
    ok: { status: 200, schema: S.secret, description: 'the new Secret Key' },
    problems: [404],
    handler: async (request) => {
      const { client_id } = request.params as ById['Params'];
      return { client_id, client_secret: await rotateSecret({ audit: stores.audit, apps: stores.apps, clientKeys: services.clientKeys }, client_id, kit.ctx(request)) };
    },
  });

  op({
    method: 'GET',
    url: '/apps/:client_id/failures',
    operationId: 'listAppFailures',
    summary: "The app's recent failures, newest first (what the console shows)",
    tag: 'apps',
    params: S.clientIdParams,
    query: S.listQuery,
    ok: { status: 200, schema: S.page(S.failure, 'failed requests of the app'), description: 'a page of failures' },
    problems: [404],
    handler: async (request) => {
      const { client_id } = request.params as ById['Params'];
      const { limit, cursor } = request.query as ListQuery;
      await found(client_id);
      const at = kit.position(`failures:${client_id}`, cursor, isFailurePosition);
      let rows: FailureRecord[] = await services.failures.recent(client_id);
      if (at !== undefined) {
        const index = rows.findIndex((row) => row.at === at[0] && row.requestId === at[1]);
        rows = index >= 0 ? rows.slice(index + 1) : rows.filter((row) => row.at < at[0]);
      }
      return kit.page(`failures:${client_id}`, rows.slice(0, limit + 1), limit, failureJson, (row) => [row.at, row.requestId]);
    },
  });
}
