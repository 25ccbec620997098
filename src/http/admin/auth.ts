/**
 * Who may call the admin API (SPEC §10): an access token with the scope
 * gatehouse:admin, held by an admin app that is still enabled. Missing,
 * unknown, expired or revoked → 401 with an RFC 6750 challenge; a live token
 * without the scope → 403 insufficient_scope.
 */
import type { FastifyRequest } from 'fastify';
import { lookupToken } from '../../core/access-token.js';
import { bindingFailure } from '../../core/dpop-binding.js';
import { OAuthError } from '../../core/errors.js';
import type { App } from '../../core/model.js';
import { ADMIN_SCOPE } from '../../core/scopes.js';
import type { Services } from '../context.js';
import { dpopChallenge, resourceProofKey } from '../dpop.js';
import { AdminProblem } from './problems.js';

const unauthenticated = (detail: string, error?: string) =>
  new AdminProblem(401, detail, undefined, {
    'www-authenticate': error === undefined ? 'Bearer realm="gatehouse"' : `Bearer realm="gatehouse", error="${error}", error_description="${detail}"`,
  });

/** SPEC §10 "(or DPoP, §8)": a 401 with RFC 9449 §7.1's DPoP challenge, and a fresh nonce when nonces are on. */
function dpopRefusal(services: Services, error: OAuthError): AdminProblem {
  const nonce = services.dpopNonces?.current(services.clock.now());
  return new AdminProblem(401, error.description, undefined, {
    'www-authenticate': dpopChallenge(error.code, error.description),
    ...(nonce === undefined ? {} : { 'dpop-nonce': nonce }),
  });
}

export async function authenticateAdmin(services: Services, request: FastifyRequest): Promise<App> {
  const header = request.headers.authorization;
  if (header === undefined) throw unauthenticated('send Authorization: Bearer with an access token that carries gatehouse:admin');
  const match = /^(Bearer|DPoP)\s+(\S+)\s*$/i.exec(header);
  if (!match) throw unauthenticated('the Authorization header must be Bearer and an access token', 'invalid_request');
  const presented = match[2]!;
  let proofKey: string | undefined;
  if (match[1]!.toLowerCase() === 'dpop') {
    try {
      proofKey = await resourceProofKey(services, request, presented);
    } catch (error) {
      if (error instanceof OAuthError) throw dpopRefusal(services, error);
      throw error;
    }
  }
  const lookup = await lookupToken(services.stores.tokens, presented, services.clock.now(), services.signer);
  if (lookup.status !== 'active' || lookup.token.kind !== 'access') {
    const why = lookup.status === 'expired' ? 'has expired' : lookup.status === 'revoked' ? 'has been revoked' : lookup.status === 'active' ? 'is a refresh token' : 'is unknown';
    throw unauthenticated(`the access token ${why}`, 'invalid_token');
  }
  const mismatch = bindingFailure(lookup.token, proofKey);
  if (mismatch !== undefined) throw dpopRefusal(services, mismatch);
  if (!lookup.token.scope.includes(ADMIN_SCOPE)) {
    throw new AdminProblem(403, `the access token does not carry the scope ${ADMIN_SCOPE}`, undefined, {
      'www-authenticate': `Bearer realm="gatehouse", error="insufficient_scope", scope="${ADMIN_SCOPE}"`,
    });
  }
  const app = await services.stores.apps.findApp(lookup.token.clientId);
  if (app === undefined || !app.isAdmin) throw unauthenticated('the app of this access token is not an admin app', 'invalid_token');
  if (app.disabled) throw unauthenticated('the admin app of this access token is disabled', 'invalid_token');
  return app;
}
