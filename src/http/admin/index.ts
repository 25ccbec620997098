/**
 * The admin API, /admin/v1 (SPEC §10), as one encapsulated plugin: inside it
 * (and only inside it) bodies are JSON, requests are validated by the route
 * schemas with strict Ajv instances (an unknown member is an error, nothing is
 * silently removed), every error is an RFC 9457 problem, and every route but
 * openapi.json needs an admin access token. @fastify/swagger reads the same
 * schemas into GET /admin/v1/openapi.json.
 */
import { createHmac } from 'node:crypto';
import swagger from '@fastify/swagger';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyError, FastifyInstance } from 'fastify';
import { AccountInputError, UsernameTakenError } from '../../core/accounts.js';
import { AppInputError } from '../../core/apps.js';
import { ConflictError, NotFoundError } from '../../core/audit.js';
import { ScopeInputError } from '../../core/scope-admin.js';
import type { RouteModule } from '../context.js';
import { BODY_LIMIT } from '../error-handler.js';
import { isDatabaseUnavailable } from '../unavailable.js';
import { appRoutes } from './apps.js';
import { authenticateAdmin } from './auth.js';
import { Cursors } from './cursor.js';
import { makeKit } from './kit.js';
import { AdminProblem, invalidField, sendProblem, type FieldError } from './problems.js';
import { auditRoutes, scopeRoutes, tokenRoutes } from './scopes.js';
import { keyRoutes } from './keys.js';
import { userRoutes } from './users.js';

export const ADMIN_PREFIX = '/admin/v1';

// ajv-formats is CommonJS: its default export is the function under NodeNext.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Bodies: no coercion, no defaults, nothing removed (an unknown member is a 400). Query and path: strings coerced to the schema's types. */
function validators(): { body: Ajv; other: Ajv } {
  const make = (coerce: boolean) => addFormats(new Ajv({ allErrors: true, coerceTypes: coerce, useDefaults: coerce, removeAdditional: false, strict: false }));
  return { body: make(false), other: make(true) };
}

/** `/redirect_uris/0` → `redirect_uris[0]`; a missing or unknown member names itself. */
function fieldErrors(errors: ErrorObject[]): FieldError[] {
  return errors.map((error) => {
    const path = error.instancePath
      .split('/')
      .slice(1)
      .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc === '' ? part : `${acc}.${part}`), '');
    const params = error.params as { additionalProperty?: string; missingProperty?: string };
    if (error.keyword === 'additionalProperties' && params.additionalProperty !== undefined) {
      return { field: path === '' ? params.additionalProperty : `${path}.${params.additionalProperty}`, message: 'is not a known field' };
    }
    if (error.keyword === 'required' && params.missingProperty !== undefined) {
      return { field: path === '' ? params.missingProperty : `${path}.${params.missingProperty}`, message: 'is required' };
    }
    if (error.keyword === 'minProperties' && path === '') return { field: '(body)', message: 'must name at least one field' };
    return { field: path === '' ? '(body)' : path, message: error.message ?? 'is not valid' };
  });
}

/** Any error of an admin route as the problem it is. */
function toProblem(raw: unknown, log: FastifyInstance['log'], requestId: string): AdminProblem {
  if (raw instanceof AdminProblem) return raw;
  if (raw instanceof NotFoundError) return new AdminProblem(404, raw.message);
  if (raw instanceof UsernameTakenError) return new AdminProblem(409, raw.message, [{ field: raw.field ?? 'username', message: raw.message }]);
  if (raw instanceof ConflictError) return new AdminProblem(409, raw.message, [{ field: raw.field, message: raw.message }]);
  if (raw instanceof AppInputError || raw instanceof AccountInputError || raw instanceof ScopeInputError) {
    return raw.field === undefined ? new AdminProblem(400, raw.message) : invalidField(raw.field, raw.message);
  }
  const error = raw as FastifyError & { validation?: ErrorObject[] };
  if (error.validation) {
    const errors = fieldErrors(error.validation);
    return new AdminProblem(400, errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors);
  }
  if (error.statusCode === 413) return new AdminProblem(413, `the request body is larger than ${BODY_LIMIT} bytes`);
  if (error.statusCode === 415) return new AdminProblem(415, error.message);
  if (typeof error.statusCode === 'number' && error.statusCode < 500) return new AdminProblem(400, error.message);
  if (isDatabaseUnavailable(raw)) {
    log.warn({ reqId: requestId, err: raw }, 'database unavailable');
    return new AdminProblem(503, 'the database is unavailable; try again shortly', undefined, { 'retry-after': '5' });
  }
  log.error({ reqId: requestId, err: raw }, 'unexpected error');
  return new AdminProblem(500, `the server hit an unexpected condition; request id ${requestId}`);
}

const unsupportedMediaType = (type: string | undefined) =>
  Object.assign(new Error(`Content-Type ${type ?? '(none)'} is not supported: send application/json`), { statusCode: 415 });

export const adminApi: RouteModule = async (app, { services }) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Gatehouse admin API',
        version: '1',
        description:
          'Operators automate Gatehouse with it (SPEC §10). Every route but this document needs `Authorization: Bearer` with an access token that carries `gatehouse:admin`, issued by client credentials to an app made with `gatehouse clients create --admin`. Errors are RFC 9457 problem details.',
      },
      servers: [{ url: services.config.issuer }],
      components: {
        securitySchemes: {
          adminToken: {
            type: 'oauth2',
            description: 'client credentials of an admin app, scope gatehouse:admin',
            flows: { clientCredentials: { tokenUrl: `${services.config.issuer}/oauth/2.0/token`, scopes: { 'gatehouse:admin': 'the admin API' } } },
          },
        },
      },
    },
  });

  // The admin API's own routes only: served with the prefix, so the not-found handler is theirs too.
  await app.register(
    async (api) => {
      const { body, other } = validators();
      api.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? body : other).compile(schema));
      api.removeAllContentTypeParsers();
      api.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => {
        if (text === '') return done(null, undefined);
        try {
          done(null, JSON.parse(text as string));
        } catch {
          done(invalidField('(body)', 'is not valid JSON'), undefined);
        }
      });
      api.addContentTypeParser('*', { parseAs: 'buffer' }, (request, _body, done) => done(unsupportedMediaType(request.headers['content-type']), undefined));
      api.decorateRequest('adminApp', undefined);

      api.addHook('onRequest', async (request) => {
        if (request.routeOptions.config?.adminPublic === true || request.routeOptions.url === undefined) return;
        request.adminApp = await authenticateAdmin(services, request);
      });

      api.setErrorHandler((raw, request, reply) => sendProblem(reply, toProblem(raw, request.log, request.id)));

      // A path the API has, with a method it does not: 405 with Allow; any other path: 404.
      const served = new Map<string, { pattern: RegExp; methods: Set<string> }>();
      api.addHook('onRoute', (route) => {
        const url = route.url;
        const entry = served.get(url) ?? { pattern: new RegExp(`^${url.replace(/:[^/]+/g, '[^/]+')}$`), methods: new Set<string>() };
        for (const method of [route.method].flat()) entry.methods.add(method);
        served.set(url, entry);
      });
      api.setNotFoundHandler((request, reply) => {
        const path = request.url.split('?', 1)[0]!;
        for (const { pattern, methods } of served.values()) {
          if (pattern.test(path)) {
            const allow = [...methods].join(', ');
            return sendProblem(reply, new AdminProblem(405, `${path} accepts ${allow}`, undefined, { allow }));
          }
        }
        return sendProblem(reply, new AdminProblem(404, `there is no admin API route at ${path}`));
      });

      const kit = makeKit(api, services, new Cursors(createHmac('sha256', services.openidKey).update('gatehouse admin api cursors').digest()));
      kit.op({
        method: 'GET',
        url: '/openapi.json',
        operationId: 'getOpenApi',
        summary: 'This document (no authentication)',
        tag: 'meta',
        public: true,
        ok: { status: 200, schema: { type: 'object', additionalProperties: true }, description: 'the OpenAPI 3.1 document of every admin route' },
        handler: async (_request, reply) => reply.header('cache-control', 'no-cache').send(app.swagger()),
      });
      appRoutes(kit);
      userRoutes(kit);
      scopeRoutes(kit);
      tokenRoutes(kit);
      keyRoutes(kit);
      auditRoutes(kit);
    },
    { prefix: ADMIN_PREFIX },
  );
};
