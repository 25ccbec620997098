/**
 * What each group of admin routes is given: `op` declares one operation with
 * its schemas (params, query, body, the answer and every problem it may give),
 * which Fastify enforces and @fastify/swagger publishes; `ctx` is the change
 * context of the calling admin app; `page` cuts a list into `{items, next_cursor}`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ChangeContext } from '../../core/audit.js';
import type { App } from '../../core/model.js';
import { changeContext } from '../change-context.js';
import type { Services } from '../context.js';
import { CursorError, type Cursors } from './cursor.js';
import { invalidField } from './problems.js';
import { problem } from './schemas.js';

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface Operation {
  method: Method;
  /** Below /admin/v1. */
  url: string;
  operationId: string;
  summary: string;
  tag: string;
  params?: object;
  query?: object;
  body?: object;
  /** The success status and its schema (none for 204). */
  ok: { status: 200 | 201 | 204; schema?: object; description: string };
  /** Problems beyond 400/401/403 (and 413/415 with a body) that it may answer. */
  problems?: (404 | 409)[];
  /** Served without authentication (openapi.json). */
  public?: boolean;
  handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
}

const PROBLEM_TEXT: Record<number, string> = {
  400: 'a parameter or body member is not valid (errors names each)',
  401: 'no, unknown, expired or revoked access token, or its admin app is disabled',
  403: 'the access token does not carry gatehouse:admin',
  404: 'no such thing',
  409: 'the name is taken',
  413: 'the body is larger than 64 KiB',
  415: 'the body is not application/json',
};

export interface Kit {
  services: Services;
  cursors: Cursors;
  op(operation: Operation): void;
  /** The change context of this request: actor the calling admin app. */
  ctx(request: FastifyRequest): ChangeContext;
  /** The position a cursor carries (validated by `check`), or undefined without one. */
  position<T>(list: string, cursor: string | undefined, check: (value: unknown) => value is T): T | undefined;
  /** `rows` fetched with limit + 1: the page and the cursor of the next one. */
  page<T, J>(list: string, rows: T[], limit: number, json: (row: T) => J, at: (row: T) => unknown): { items: J[]; next_cursor: string | null };
}

export function makeKit(api: FastifyInstance, services: Services, cursors: Cursors): Kit {
  return {
    services,
    cursors,
    op(operation) {
      const response: Record<number, object> = {};
      response[operation.ok.status] = operation.ok.schema ? { description: operation.ok.description, ...operation.ok.schema } : { description: operation.ok.description, type: 'null' };
      const problems = [400, ...(operation.public ? [] : [401, 403]), ...(operation.body ? [413, 415] : []), ...(operation.problems ?? [])];
      for (const status of problems) {
        response[status] = { description: PROBLEM_TEXT[status], content: { 'application/problem+json': { schema: problem } } };
      }
      api.route({
        method: operation.method,
        url: operation.url,
        config: { adminPublic: operation.public === true },
        schema: {
          operationId: operation.operationId,
          summary: operation.summary,
          tags: [operation.tag],
          ...(operation.public ? {} : { security: [{ adminToken: [] }] }),
          ...(operation.params ? { params: operation.params } : {}),
          ...(operation.query ? { querystring: operation.query } : {}),
          ...(operation.body ? { body: operation.body } : {}),
          response,
        },
        handler: operation.handler,
      });
    },
    ctx(request) {
      return changeContext(services, request, { type: 'app', id: request.adminApp!.clientId });
    },
    position(list, cursor, check) {
      if (cursor === undefined) return undefined;
      let value: unknown;
      try {
        value = cursors.decode(list, cursor);
      } catch (error) {
        if (error instanceof CursorError) throw invalidField('cursor', error.message);
        throw invalidField('cursor', 'cursor is malformed: pass next_cursor exactly as it was answered');
      }
      if (!check(value)) throw invalidField('cursor', 'cursor is malformed: pass next_cursor exactly as it was answered');
      return value;
    },
    page(list, rows, limit, json, at) {
      const more = rows.length > limit;
      const shown = more ? rows.slice(0, limit) : rows;
      return { items: shown.map(json), next_cursor: more ? cursors.encode(list, at(shown[shown.length - 1]!)) : null };
    },
  };
}

export interface ListQuery {
  limit: number;
  cursor?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The admin app behind the access token of an admin API call. */
    adminApp?: App;
  }
  interface FastifyContextConfig {
    adminPublic?: boolean;
  }
}
