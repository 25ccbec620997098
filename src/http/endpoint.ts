/**
 * Registering an endpoint: its methods, how its errors are delivered, and a
 * 405 (with Allow) for every other method (SPEC §4). Handlers receive the
 * request's parameters already parsed: the query, merged with the form body
 * on POST (a name in both counts as repeated).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { oauthError } from '../core/errors.js';
import type { Params } from '../core/params.js';
import { TransportError } from './errors.js';
import { FormError, mergeParams } from './form.js';

/** How errors of an endpoint reach the caller: JSON (token-style), RFC 6750 (resource), or HTML page. */
export type EndpointKind = 'json' | 'resource' | 'page';

export type Handler = (request: FastifyRequest, reply: FastifyReply, params: Params) => Promise<unknown> | unknown;

const ALL_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
type Method = (typeof ALL_METHODS)[number];

/** Marker the query-string parser leaves when the query cannot be decoded. */
export const BAD_QUERY = Symbol('bad query');

export function paramsOf(request: FastifyRequest): Params {
  const query = (request.query ?? {}) as Params & { [BAD_QUERY]?: string };
  if (query[BAD_QUERY] !== undefined) throw oauthError('invalid_request', query[BAD_QUERY]);
  if (request.method !== 'POST') return query;
  const body = request.body as Params | undefined | null;
  return body ? mergeParams(query, body) : query;
}

export function safeQueryParser(parse: (text: string) => Params): (text: string) => Params {
  return (text) => {
    try {
      return parse(text);
    } catch (error) {
      if (error instanceof FormError) return { [BAD_QUERY]: error.message } as unknown as Params;
      throw error;
    }
  };
}

export function endpoint(app: FastifyInstance, path: string, methods: Method[], kind: EndpointKind, handler: Handler): void {
  app.route({
    method: methods,
    url: path,
    config: { kind },
    handler: (request, reply) => handler(request, reply, paramsOf(request)),
  });
  const others = ALL_METHODS.filter((method) => !methods.includes(method));
  const allow = [...methods, ...(methods.includes('GET') ? ['HEAD'] : [])].join(', ');
  app.route({
    method: others,
    url: path,
    config: { kind },
    handler: (_request, reply) => {
      reply.header('allow', allow);
      throw new TransportError(405, `this endpoint accepts ${allow}`);
    },
  });
}

declare module 'fastify' {
  interface FastifyContextConfig {
    kind?: EndpointKind;
  }
}
