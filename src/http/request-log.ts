/**
 * Every response carries its request id, and every request ends in one log
 * line and one metrics observation. Callback-style hooks: no promise per
 * request on the hot path.
 */
import type { FastifyInstance } from 'fastify';
import type { Metrics } from './metrics.js';

export function installRequestLog(app: FastifyInstance, metrics: Metrics): void {
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
}
