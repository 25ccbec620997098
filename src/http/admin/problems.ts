/**
 * RFC 9457 problem details, the admin API's only error shape:
 * `application/problem+json` with type, title, status, detail, and for
 * validation `errors: [{field, message}]`.
 */
import type { FastifyReply } from 'fastify';

export const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';

const TITLES: Record<number, [slug: string, title: string]> = {
  400: ['validation', 'The request is not valid'],
  401: ['unauthenticated', 'An admin access token is required'],
  403: ['forbidden', 'The access token does not carry the scope gatehouse:admin'],
  404: ['not-found', 'Not found'],
  405: ['method-not-allowed', 'Method not allowed'],
  409: ['conflict', 'Conflict'],
  413: ['too-large', 'The request body is too large'],
  415: ['unsupported-media-type', 'The request body must be application/json'],
  500: ['server-error', 'The server hit an unexpected condition'],
  503: ['unavailable', 'The database is unavailable'],
};

export interface FieldError {
  field: string;
  message: string;
}

/** A problem a handler throws; the admin error handler answers it. */
export class AdminProblem extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'AdminProblem';
  }
}

export function problemBody(status: number, detail: string, errors?: FieldError[], requestId?: string) {
  const [slug, title] = TITLES[status] ?? ['error', 'Error'];
  return {
    type: `urn:gatehouse:problem:${slug}`,
    title,
    status,
    detail,
    ...(errors === undefined ? {} : { errors }),
    ...(requestId === undefined ? {} : { request_id: requestId }),
  };
}

export function sendProblem(reply: FastifyReply, problem: AdminProblem): FastifyReply {
  for (const [name, value] of Object.entries(problem.headers)) reply.header(name, value);
  return reply
    .code(problem.status)
    .header('content-type', PROBLEM_TYPE)
    .header('cache-control', 'no-store')
    .send(JSON.stringify(problemBody(problem.status, problem.detail, problem.errors, reply.request.id)));
}

/** One field at fault: a 400 with its errors entry. */
export function invalidField(field: string, message: string): AdminProblem {
  return new AdminProblem(400, `${field}: ${message}`, [{ field, message }]);
}
