/**
 * RFC 6750 §3.1 insufficient_scope: 403, and the challenge names the scope the
 * call needs, so the app knows what to ask the user for. The body carries
 * Baidu's REST fields too (error_code 6: no permission to access user data).
 */
import type { FastifyReply } from 'fastify';
import { JSON_TYPE, errorUri } from './errors.js';

export function sendInsufficientScope(config: { issuer: string }, reply: FastifyReply, scope: string): FastifyReply {
  return reply
    .code(403)
    .header('www-authenticate', `Bearer realm="gatehouse", error="insufficient_scope", scope="${scope}"`)
    .header('content-type', JSON_TYPE)
    .header('cache-control', 'no-store')
    .send(
      JSON.stringify({
        error: 'insufficient_scope',
        error_description: `this call needs the scope ${scope}, which the access token does not carry`,
        error_uri: errorUri(config.issuer, 'insufficient_scope'),
        error_code: 6,
        error_msg: 'No permission to access user data',
      }),
    );
}
