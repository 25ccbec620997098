/**
 * buildApp(deps): the Fastify application, without listen() (tests use
 * inject() or listen on port 0). Everything it needs is handed in; it never
 * chooses a database or reads the environment. It only assembles: resolve
 * the services, install the edge (parsers, log, errors), then register each
 * row of ROUTES.
 */
import { createHmac } from 'node:crypto';
import { MetadataDocumentApps, MetadataDocumentResolver } from '../storage/outbound/metadata-documents.js';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { ProofSignature } from '../core/dpop.js';
import { HmacNonces } from '../core/dpop-nonce.js';
import { oauthError } from '../core/errors.js';
import type { FailureLog } from '../core/failures.js';
import type { SetupTokenStore } from '../core/first-run.js';
import { coreGrants, GrantRegistry, type Grant } from '../core/grants/index.js';
import { systemClock, type ClientKeys, type Clock, type RateLimiter, type Stores } from '../core/ports.js';
import { clientKeys } from '../storage/client-keys/index.js';
import type { Signer, SigningKeyManager } from '../core/signing.js';
import { randomId } from '../core/tokens.js';
import { ADMIN_PREFIX } from './admin/index.js';
import { AdminProblem, sendProblem } from './admin/problems.js';
import { installBodyParsers } from './body-parsers.js';
import { clientErrorHandler } from './client-error.js';
import type { Services } from './context.js';
import { CookieSigner } from './cookies.js';
import { safeQueryParser } from './endpoint.js';
import { BODY_LIMIT, deliver, installErrorHandlers, isOAuthPath } from './error-handler.js';
import { parseForm } from './form.js';
import { Metrics } from './metrics.js';
import { installRequestLog } from './request-log.js';
import { ROUTES } from './routes.js';

export { BODY_LIMIT };
export type { Services };

export interface AppDeps {
  config: Readonly<Config>;
  /** Signs id_tokens and JWTs with the current keys; publishes the JWKS (SPEC §7). */
  signer: Signer;
  /** Lists and rotates the signing keys (admin API). */
  keys: SigningKeyManager;
  stores: Stores;
  rateLimiter: RateLimiter;
  /** Signs session and CSRF cookies; the same on every instance. */
  cookieKey: Buffer;
  /** Keys Baidu's pairwise openid/unionid (getInfo); default derived from cookieKey. */
  openidKey?: Buffer;
  /** The console's recent failures (SQL in a server: shared by instances, kept across restarts). */
  failures: FailureLog;
  /** The first-run setup token. */
  setupTokens: SetupTokenStore;
  clock?: Clock;
  /** Grants beyond the core ones (the device flow registers its own). */
  extraGrants?: Grant[];
  /** Readiness: throws when the database cannot be reached. */
  ready?: () => Promise<void>;
  logger?: Logger;
  /** Prometheus registry for /metrics; a fresh one (without process metrics) when absent. */
  metrics?: Metrics;
  /** Checks the signature of DPoP proofs (SPEC §8; jose, src/storage/keys/jose-dpop.ts). */
  dpopProofs: ProofSignature;
  /** JWT client authentication's key material (SPEC §8); by default from GATEHOUSE_KEYS_SECRET and the SSRF-safe fetcher. */
  clientKeys?: ClientKeys;
}

function resolveServices(deps: AppDeps): Services {
  const scopesCache = { at: 0, names: new Set<string>() };
  return {
    config: deps.config,
    signer: deps.signer,
    keys: deps.keys,
    stores: withMetadataDocuments(deps),
    rateLimiter: deps.rateLimiter,
    cookies: new CookieSigner(deps.cookieKey, deps.config.secureCookies),
    openidKey: deps.openidKey ?? createHmac('sha256', deps.cookieKey).update('gatehouse openid key').digest(),
    failures: deps.failures,
    setupTokens: deps.setupTokens,
    clock: deps.clock ?? systemClock,
    grants: new GrantRegistry([...coreGrants, ...(deps.extraGrants ?? [])]),
    metrics: deps.metrics ?? new Metrics(),
    dpopProofs: deps.dpopProofs,
    // SPEC §8: nonces every instance recognises, keyed from the cookie key they all share (its own purpose label).
    dpopNonces: deps.config.dpopNonce ? new HmacNonces(createHmac('sha256', deps.cookieKey).update('gatehouse dpop nonce key').digest()) : undefined,
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
    clientKeys: deps.clientKeys ?? clientKeys(deps.config),
  };
}

/**
 * SPEC §9: with GATEHOUSE_CLIENT_METADATA_DOCUMENTS=1, a client_id that is an https URL is answered from
 * its document in front of the app store (the other stores are the same objects, getters included).
 */
function withMetadataDocuments(deps: AppDeps): Stores {
  if (!deps.config.clientMetadataDocuments) return deps.stores;
  const outbound = { allowPrivate: deps.config.allowPrivateFetch };
  const resolver = new MetadataDocumentResolver({
    outbound,
    redirects: { allowHttp: deps.config.allowHttpRedirects },
    knownScopes: async () => new Set((await deps.stores.scopes.listScopes()).map((scope) => scope.name)),
  });
  const stores = Object.create(deps.stores) as Stores;
  Object.defineProperty(stores, 'apps', { value: new MetadataDocumentApps(deps.stores.apps, resolver, outbound), enumerable: true });
  return stores;
}

export async function buildApp(deps: AppDeps): Promise<{ app: FastifyInstance; services: Services }> {
  const services = resolveServices(deps);
  const app: FastifyInstance = Fastify({
    bodyLimit: BODY_LIMIT,
    ...(deps.logger ? { loggerInstance: deps.logger as FastifyBaseLogger } : { logger: false }),
    // Our own one line per request (request-log.ts) replaces Fastify's two.
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
      const description = 'the request URL is malformed (invalid percent-encoding or too long a path segment)';
      // SPEC §10: under /admin/v1 every error is an RFC 9457 problem, a URL Fastify cannot route too.
      if (request.url === ADMIN_PREFIX || request.url.startsWith(`${ADMIN_PREFIX}/`)) return void sendProblem(reply, new AdminProblem(400, description));
      void deliver(services, request, reply, isOAuthPath(request.url) ? 'json' : 'page', oauthError('invalid_request', description, error.message));
    },
  });

  installBodyParsers(app);
  installRequestLog(app, services.metrics);
  installErrorHandlers(app, services);
  for (const [module, options] of ROUTES) await app.register(module, { ...options, services });
  return { app, services };
}
