/** The resource-server side (issue 5): metadata, introspection, revocation and Baidu's user calls. */
import type { FastifyInstance } from 'fastify';
import type { Services } from './app.js';
import { registerBaiduUserRoutes } from './baidu-user-routes.js';
import { registerIntrospectionRoutes } from './introspection-routes.js';
import { registerMetadataRoutes } from './metadata-routes.js';

export function registerResourceServerRoutes(app: FastifyInstance, services: Services): void {
  registerMetadataRoutes(app, services);
  registerIntrospectionRoutes(app, services);
  registerBaiduUserRoutes(app, services);
}
