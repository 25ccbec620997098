/** Liveness (the process answers) and readiness (the database answers too; load balancers use it). */
import type { RouteModule } from '../context.js';
import { endpoint } from '../endpoint.js';

export const HEALTH_PATH = '/health';
export const LIVENESS_PATH = '/health/live';

export const healthEndpoints: RouteModule = async (app, { services }) => {
  endpoint(app, HEALTH_PATH, ['GET'], 'json', async (_request, reply) => {
    try {
      await services.ready();
      return reply.header('cache-control', 'no-store').send({ status: 'ok', database: 'ok' });
    } catch {
      return reply.code(503).header('cache-control', 'no-store').send({ status: 'unavailable', database: 'unreachable' });
    }
  });
  endpoint(app, LIVENESS_PATH, ['GET'], 'json', (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));
};
