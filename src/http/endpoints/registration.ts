/**
 * /oauth/2.0/register: dynamic client registration (RFC 7591 §3) and, on
 * each app's registration_client_uri, its management (RFC 7592 §2): GET
 * reads, PUT replaces, DELETE deletes. Served only while
 * GATEHOUSE_REGISTRATION is `token` or `open` (SPEC §9); `off` leaves the
 * paths unknown (404), as the metadata leaves registration_endpoint out.
 *
 * Bodies are JSON (RFC 7591 §3.1), parsed in this module's own scope; the
 * 64 KiB body limit of every endpoint holds (413 beyond it).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { spendInitialAccessToken } from '../../core/initial-access-tokens.js';
import { oauthError, OAuthError } from '../../core/errors.js';
import { authenticateRegistration, deleteClient, describeRegistration, registerClient, replaceClient, type RegistrationDeps } from '../../core/registration.js';
import type { RouteModule, Services } from '../context.js';
import { changeContext } from '../change-context.js';
import { errorUri, JSON_TYPE, sendJsonError, TransportError } from '../errors.js';
import { checkJwksUri } from '../../storage/outbound/jwks-check.js';

export const REGISTER_PATH = '/oauth/2.0/register';
const MANAGE_PATH = `${REGISTER_PATH}/:client_id`;
const HOUR = 3600;

const registrationUri = (services: Services, clientId: string) => `${services.config.issuer}${REGISTER_PATH}/${encodeURIComponent(clientId)}`;

/** RFC 6750 §2.1: `Authorization: Bearer TOKEN`, or undefined. */
function bearer(request: FastifyRequest): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}

function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  // RFC 7591 §3.2.1: the answer carries secrets, so it is never cached.
  return reply.code(status).header('content-type', JSON_TYPE).header('cache-control', 'no-store').header('pragma', 'no-cache').send(JSON.stringify(body));
}

/** SPEC §9: 401 invalid_token with `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750 §3). */
function sendInvalidToken(services: Services, reply: FastifyReply, error: OAuthError): FastifyReply {
  reply.header('www-authenticate', 'Bearer error="invalid_token"');
  return sendJson(reply, 401, { error: 'invalid_token', error_description: error.description, error_uri: errorUri(services.config.issuer, 'invalid_token') });
}

export const registrationEndpoint: RouteModule = async (app, { services }) => {
  const { config } = services;
  // This plugin's own scope: JSON here, forms everywhere else.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => {
    try {
      done(null, { json: JSON.parse(text as string) as unknown });
    } catch {
      done(oauthError('invalid_client_metadata', 'the request body is not valid JSON'), undefined);
    }
  });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, _body, done) => {
    done(oauthError('invalid_client_metadata', `Content-Type ${request.headers['content-type'] ?? '(none)'} is not supported: send application/json (RFC 7591 §3.1)`), undefined);
  });
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof OAuthError) return error.code === 'invalid_token' ? sendInvalidToken(services, reply, error) : sendJsonError(services, request, reply, error, 'register');
    throw error;
  });

  if (config.registration === 'off') {
    // Unknown paths while registration is off, whatever the body (SPEC §4: 404).
    app.all(`${REGISTER_PATH}*`, { config: { kind: 'json' } }, async () => {
      throw new TransportError(404, 'dynamic registration is off on this server (GATEHOUSE_REGISTRATION)');
    });
    return;
  }

  const deps = async (): Promise<RegistrationDeps> => ({
    apps: services.stores.apps,
    audit: services.stores.audit,
    policy: { allowHttp: config.allowHttpRedirects },
    knownScopes: await services.knownScopes(),
    checkJwksUri: (uri) => checkJwksUri(uri, { allowPrivate: config.allowPrivateFetch }),
    clientKeys: services.clientKeys,
  });
  const body = (request: FastifyRequest): unknown => {
    const parsed = request.body as { json?: unknown } | undefined;
    if (parsed === undefined || parsed === null) throw oauthError('invalid_client_metadata', 'the request has no body: send the client metadata as JSON (RFC 7591 §3.1)');
    return parsed.json;
  };

  app.route({
    method: 'POST',
    url: REGISTER_PATH,
    config: { kind: 'json' },
    handler: async (request, reply) => {
      // SPEC §9: at most GATEHOUSE_REGISTRATION_RATE registrations per client address per hour, counted
      // before any work (a flood costs one counter, never a row).
      const limit = await services.rateLimiter.hit(`register:${request.ip}`, config.registrationRate, HOUR);
      if (!limit.allowed) {
        reply.header('retry-after', String(limit.retryAfter));
        return sendJson(reply, 429, {
          error: 'invalid_request',
          error_description: `too many registrations from this address; try again in ${limit.retryAfter} seconds`,
          error_uri: errorUri(config.issuer, 'invalid_request'),
        });
      }
      const metadata = body(request);
      if (config.registration === 'token') {
        const token = bearer(request);
        if (token === undefined) throw new OAuthError('invalid_token', 'this server needs an initial access token: send it as Authorization: Bearer (RFC 7591 §3)');
        // Spent before the metadata is checked (RFC 7591 §3 leaves it open): a token of N uses then admits
        // at most N requests however many race, and a refused request costs the caller a use, not us a row.
        if (!(await spendInitialAccessToken(services.stores.registrationTokens, token, services.clock.now()))) {
          throw new OAuthError('invalid_token', 'the initial access token is unknown, used up or expired');
        }
      }
      const registered = await registerClient(await deps(), metadata, changeContext(services, request, 'self'));
      return sendJson(reply, 201, {
        ...registered.metadata,
        registration_access_token: registered.registrationAccessToken,
        registration_client_uri: registrationUri(services, registered.app.clientId),
      });
    },
  });

  const manage = async (request: FastifyRequest) =>
    authenticateRegistration(services.stores.apps, (request.params as { client_id: string }).client_id, bearer(request));

  app.route({
    method: ['GET', 'PUT', 'DELETE'],
    url: MANAGE_PATH,
    config: { kind: 'json' },
    handler: async (request, reply) => {
      const current = await manage(request);
      const ctx = changeContext(services, request, { type: 'app', id: current.clientId });
      if (request.method === 'DELETE') {
        await deleteClient(services.stores, current, ctx);
        return reply.code(204).header('cache-control', 'no-store').send();
      }
      const app = request.method === 'PUT' ? (await replaceClient(await deps(), current, body(request), ctx)).app : current;
      return sendJson(reply, 200, { ...describeRegistration(app), registration_client_uri: registrationUri(services, app.clientId) });
    },
  });

  // A path served here with a method it does not take: 405 with Allow (SPEC §4).
  for (const [url, allow] of [
    [REGISTER_PATH, 'POST'],
    [MANAGE_PATH, 'GET, PUT, DELETE'],
  ] as const) {
    const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].filter((method) => !allow.split(', ').includes(method));
    app.route({
      method: methods as ('GET' | 'POST')[],
      url,
      config: { kind: 'json' },
      handler: async (_request, reply) => {
        reply.header('allow', allow);
        throw new TransportError(405, `this endpoint accepts ${allow}`);
      },
    });
  }
};
