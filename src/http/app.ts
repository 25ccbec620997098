/**
 * buildApp(deps): the Fastify application, without listen() (tests use
 * inject() or listen on port 0). Everything it needs is handed in; it never
 * chooses a database or reads the environment.
 */
import { createHmac } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { OAuthError } from '../core/errors.js';
import { coreGrants, GrantRegistry, type Grant } from '../core/grants/index.js';
import { systemClock, type Clock, type RateLimiter, type Stores } from '../core/ports.js';
import { randomId } from '../core/tokens.js';
import { MessagePage } from '../views/oauth-pages.js';
import { renderDocument } from '../views/layout.js';
import { MESSAGES } from '../views/i18n.js';
import { CookieSigner } from './cookies.js';
import { registerAuthorizeRoutes } from './authorize-routes.js';
import { JSON_TYPE, pageHeaders, sendErrorPage, sendJsonError, TransportError, errorUri } from './errors.js';
import { MemoryFailureLog, type FailureLog } from './failure-log.js';
import { FormError, parseForm, parseFormBuffer } from './form.js';
import { endpoint, safeQueryParser } from './endpoint.js';
import { clientErrorHandler } from './client-error.js';
import { isDatabaseUnavailable, unavailableError } from './unavailable.js';
import { Metrics } from './metrics.js';
import { pageContext } from './page-context.js';
import { registerPageRoutes } from './page-routes.js';
import { registerAccountRoutes } from './account-routes.js';
import { registerConsoleRoutes } from './console-routes.js';
import { registerSessionRoutes } from './session-routes.js';
import type { SetupTokenStore } from '../core/first-run.js';
import { MemorySetupTokenStore } from '../storage/memory/setup-tokens.js';
import { registerResourceRoutes } from './resource-routes.js';
import { registerResourceServerRoutes } from './resource-server-routes.js';
import { registerTokenRoutes } from './token-routes.js';
import { registerDevicePage } from './device-page.js';
import { registerDeviceRoutes } from './device-routes.js';
import { oauthError } from '../core/errors.js';

export const BODY_LIMIT = 64 * 1024;

export interface AppDeps {
  config: Readonly<Config>;
  stores: Stores;
  rateLimiter: RateLimiter;
  /** Signs session and CSRF cookies; the same on every instance. */
  cookieKey: Buffer;
  /** Keys Baidu's pairwise openid/unionid (getInfo); default derived from cookieKey. */
  openidKey?: Buffer;
  failures?: FailureLog;
  /** First-run setup token (default: in memory, so no link works until one is issued). */
  setupTokens?: SetupTokenStore;
  clock?: Clock;
  /** Grants beyond the core ones (the device flow registers its own). */
  extraGrants?: Grant[];
  /** Readiness: throws when the database cannot be reached. */
  ready?: () => Promise<void>;
  logger?: Logger;
  /** Prometheus registry for /metrics; a fresh one (without process metrics) when absent. */
  metrics?: Metrics;
}

/** What route modules receive: the deps, resolved. */
export interface Services {
  config: Readonly<Config>;
  stores: Stores;
  rateLimiter: RateLimiter;
  cookies: CookieSigner;
  openidKey: Buffer;
  failures: FailureLog;
  setupTokens: SetupTokenStore;
  clock: Clock;
  grants: GrantRegistry;
  knownScopes(): Promise<ReadonlySet<string>>;
  ready: () => Promise<void>;
}

function isOAuthPath(url: string): boolean {
  return url.startsWith('/oauth/') || url.startsWith('/rest/') || url.startsWith('/.well-known/');
}

export async function buildApp(deps: AppDeps): Promise<{ app: FastifyInstance; services: Services }> {
  const app: FastifyInstance = Fastify({
    bodyLimit: BODY_LIMIT,
    ...(deps.logger ? { loggerInstance: deps.logger as FastifyBaseLogger } : { logger: false }),
    // Our own one line per request (onResponse below) replaces Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => randomId(16),
    // request.log is the instance logger itself, not a child per request (a pino child
    // costs about a microsecond on every request): lines that need the id carry reqId.
    childLoggerFactory: (logger) => logger,
    requestIdHeader: false,
    routerOptions: { querystringParser: safeQueryParser(parseForm) },
    return503OnClosing: true,
    // Behind nginx, request.ip (the rate limits' key) is the client only if we trust the proxy's X-Forwarded-For.
    trustProxy: deps.config.trustProxy,
    connectionTimeout: 30_000,
    requestTimeout: 30_000,
    // What Node's parser refuses (431 headers, raw bytes in the request line) still gets a SPEC §4 body.
    clientErrorHandler: clientErrorHandler(deps.config.issuer),
    // A URL Fastify cannot decode (FST_ERR_BAD_URL: `/oauth/2.0/%ZZ`) or an over-long path
    // parameter: a SPEC §4 invalid_request, not Fastify's own JSON shape.
    frameworkErrors: (error, request, reply) => {
      void deliver(services, request, reply, isOAuthPath(request.url) ? 'json' : 'page', oauthError('invalid_request', 'the request URL is malformed (invalid percent-encoding or too long a path segment)', error.message));
    },
  });

  const scopesCache = { at: 0, names: new Set<string>() };
  const clock = deps.clock ?? systemClock;
  const services: Services = {
    config: deps.config,
    stores: deps.stores,
    rateLimiter: deps.rateLimiter,
    cookies: new CookieSigner(deps.cookieKey, deps.config.secureCookies),
    openidKey: deps.openidKey ?? createHmac('sha256', deps.cookieKey).update('gatehouse openid key').digest(),
    failures: deps.failures ?? new MemoryFailureLog(),
    setupTokens: deps.setupTokens ?? new MemorySetupTokenStore(),
    clock,
    grants: new GrantRegistry([...coreGrants, ...(deps.extraGrants ?? [])]),
    // Scopes change rarely (an operator's command): a second of staleness is fine.
    async knownScopes() {
      const now = Date.now();
      if (now - scopesCache.at > 1000) {
        scopesCache.names = new Set((await deps.stores.scopes.listScopes()).map((scope) => scope.name));
        scopesCache.at = now;
      }
      return scopesCache.names;
    },
    ready: deps.ready ?? (async () => {}),
  };

  // Form bodies only; any other content type is a clean invalid_request, not a 415 or 500.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (_request, body, done) => {
    try {
      done(null, parseFormBuffer(body as Buffer));
    } catch (error) {
      done(error instanceof FormError ? oauthError('invalid_request', error.message) : (error as Error), undefined);
    }
  });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, _body, done) => {
    done(oauthError('invalid_request', `Content-Type ${request.headers['content-type'] ?? '(none)'} is not supported: send application/x-www-form-urlencoded`), undefined);
  });

  const metrics = deps.metrics ?? new Metrics();
  endpoint(app, '/metrics', ['GET'], 'json', async (_request, reply) =>
    reply.header('content-type', metrics.registry.contentType).header('cache-control', 'no-store').send(await metrics.registry.metrics()),
  );

  // Callback-style hooks: no promise per request on the hot path.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });

  // The request line's fields are scalars of fixed names, never a secret (the redact paths
  // match nested keys, so they could never match here): it skips pino's redaction pass,
  // which cost 4 us a line. Every other log call keeps it.
  const accessLog = app.log.child({}, { redact: { paths: [] } });

  // One line per request; never the query or body (they carry codes and secrets).
  app.addHook('onResponse', (request, reply, done) => {
    const error = request.oauthError;
    const line: Record<string, unknown> = {
      reqId: request.id,
      method: request.method,
      path: request.url.split('?', 1)[0],
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (error !== undefined) {
      line['error'] = error.code;
      if (error.clientId !== undefined) line['client_id'] = error.clientId;
      if (error.detail !== undefined) line['detail'] = error.detail;
    }
    accessLog.info(line, 'request');
    metrics.observe(request.routeOptions.url ?? 'unmatched', request.method, reply.statusCode, reply.elapsedTime / 1000, error?.code);
    done();
  });

  app.setErrorHandler((raw, request, reply) => {
    const kind = request.routeOptions.config?.kind ?? (isOAuthPath(request.url) ? 'json' : 'page');
    let error: OAuthError | TransportError;
    if (raw instanceof OAuthError || raw instanceof TransportError) {
      error = raw;
    } else if ((raw as { statusCode?: number }).statusCode === 413) {
      error = new TransportError(413, `the request body is larger than ${BODY_LIMIT} bytes`);
    } else if (typeof (raw as { statusCode?: number }).statusCode === 'number' && (raw as { statusCode: number }).statusCode < 500) {
      error = oauthError('invalid_request', 'the request is malformed', (raw as Error).message);
    } else if (isDatabaseUnavailable(raw)) {
      // The database is down, read-only or full: 503 and Retry-After, and the server recovers on its own.
      request.log.warn({ reqId: request.id, err: raw }, 'database unavailable');
      error = unavailableError(raw);
    } else {
      // Never a stack trace on the wire: the log has it, with the request id the response carries.
      request.log.error({ reqId: request.id, err: raw }, 'unexpected error');
      error = oauthError('server_error', `the server hit an unexpected condition; request id ${request.id}`);
    }
    return deliver(services, request, reply, kind, error);
  });

  app.setNotFoundHandler((request, reply) => {
    const error = new TransportError(404, `there is no endpoint at ${request.url.split('?', 1)[0]}`);
    return deliver(services, request, reply, isOAuthPath(request.url) ? 'json' : 'page', error);
  });

  registerPageRoutes(app, services);
  registerSessionRoutes(app, services);
  registerConsoleRoutes(app, services);
  registerAccountRoutes(app, services);
  registerAuthorizeRoutes(app, services);
  registerTokenRoutes(app, services);
  registerResourceRoutes(app, services);
  registerDeviceRoutes(app, services);
  registerDevicePage(app, services);
  registerResourceServerRoutes(app, services);
  return { app, services };
}

function deliver(services: Services, request: FastifyRequest, reply: FastifyReply, kind: string, error: OAuthError | TransportError): FastifyReply {
  if (error instanceof OAuthError) {
    if (kind === 'page') return sendErrorPage(request, reply, error, error.status);
    return sendJsonError(services, request, reply, error, request.url.split('?', 1)[0]!);
  }
  if (kind === 'page') {
    const t = MESSAGES[pageContext(request).lang];
    const title = error.status === 404 ? t.notFound : error.status === 405 ? t.methodNotAllowed : error.description;
    return pageHeaders(reply)
      .code(error.status)
      .send(renderDocument(MessagePage({ ctx: pageContext(request), title: String(error.status), message: title })));
  }
  return reply
    .code(error.status)
    .header('content-type', JSON_TYPE)
    .header('cache-control', 'no-store')
    .send(JSON.stringify({ error: 'invalid_request', error_description: error.description, error_uri: errorUri(services.config.issuer, 'invalid_request') }));
}
