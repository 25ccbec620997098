/** Prometheus metrics (prom-client): requests by route pattern and status, latency, OAuth errors by code. */
import type { RouteModule } from '../context.js';
import { endpoint } from '../endpoint.js';

export const METRICS_PATH = '/metrics';

export const metricsEndpoint: RouteModule = async (app, { services }) => {
  const { registry } = services.metrics;
  endpoint(app, METRICS_PATH, ['GET'], 'json', async (_request, reply) =>
    reply.header('content-type', registry.contentType).header('cache-control', 'no-store').send(await registry.metrics()),
  );
};
