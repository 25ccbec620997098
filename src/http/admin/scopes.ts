/** /admin/v1/scopes, /admin/v1/tokens/revoke and /admin/v1/audit. */
import { createScope } from '../../core/scope-admin.js';
import { revokeTokens } from '../../core/token-admin.js';
import type { Kit, ListQuery } from './kit.js';
import * as S from './schemas.js';
import { eventJson } from './wire.js';

export function scopeRoutes(kit: Kit): void {
  const { services, op } = kit;
  const { stores } = services;

  op({
    method: 'GET',
    url: '/scopes',
    operationId: 'listScopes',
    summary: 'List scopes, by name',
    tag: 'scopes',
    query: S.listQuery,
    ok: { status: 200, schema: S.page(S.scope, 'scopes'), description: 'a page of scopes' },
    handler: async (request) => {
      const { limit, cursor } = request.query as ListQuery;
      const after = kit.position('scopes', cursor, (value): value is string => typeof value === 'string');
      const rows = (await stores.scopes.listScopes()).filter((scope) => after === undefined || scope.name > after);
      return kit.page('scopes', rows.slice(0, limit + 1), limit, (scope) => scope, (scope) => scope.name);
    },
  });

  op({
    method: 'POST',
    url: '/scopes',
    operationId: 'createScope',
    summary: 'Add a scope apps may request (an existing name is 409)',
    tag: 'scopes',
    body: S.scopeCreate,
    ok: { status: 201, schema: S.scope, description: 'the scope' },
    problems: [409],
    handler: async (request, reply) => {
      const body = request.body as { name: string; description?: string };
      const scope = await createScope(stores, { name: body.name, description: body.description ?? '' }, kit.ctx(request));
      return reply.code(201).send(scope);
    },
  });
}

export function tokenRoutes(kit: Kit): void {
  const { services, op } = kit;
  op({
    method: 'POST',
    url: '/tokens/revoke',
    operationId: 'revokeTokens',
    summary: 'Revoke every live token of a user, of an app, or of a user for an app',
    tag: 'tokens',
    body: S.revokeRequest,
    ok: { status: 200, schema: S.revokeResult, description: 'how many tokens were revoked' },
    problems: [404],
    handler: async (request) => {
      const body = request.body as { uid?: string; client_id?: string };
      const revoked = await revokeTokens(
        services.stores,
        { ...(body.uid === undefined ? {} : { uid: body.uid }), ...(body.client_id === undefined ? {} : { clientId: body.client_id }) },
        kit.ctx(request),
      );
      return { revoked };
    },
  });
}

export function auditRoutes(kit: Kit): void {
  const { services, op } = kit;
  op({
    method: 'GET',
    url: '/audit',
    operationId: 'listAuditEvents',
    summary: 'The audit trail, newest first: one event per change made through the CLI, the console or this API',
    tag: 'audit',
    query: S.listQuery,
    ok: { status: 200, schema: S.page(S.auditEvent, 'events, newest first'), description: 'a page of events' },
    handler: async (request) => {
      const { limit, cursor } = request.query as ListQuery;
      const before = kit.position('audit', cursor, (value): value is number => Number.isSafeInteger(value));
      const rows = await services.stores.audit.listEvents({ limit: limit + 1, ...(before === undefined ? {} : { beforeId: before }) });
      return kit.page('audit', rows, limit, eventJson, (event) => event.id);
    },
  });
}
