/** The ChangeContext (core/audit.ts) of a change made by an HTTP request: its actor, client address and request id. */
import type { FastifyRequest } from 'fastify';
import type { Actor, ChangeContext } from '../core/audit.js';
import type { Services } from './context.js';

export function changeContext(services: Pick<Services, 'clock'>, request: FastifyRequest, actor: Actor | 'self'): ChangeContext {
  return { actor, address: request.ip, requestId: request.id, now: services.clock.now() };
}
