/**
 * What an endpoint that authenticates apps hands to core/client-auth.ts: the
 * Authorization header, the parameters, and, only when the request carries
 * a client assertion (RFC 7523), what verifying it needs (SPEC §8): the
 * app's keys, the replay cache for its jti, and the audiences it may name —
 * the issuer, the token endpoint's URL, and the URL of this endpoint. The
 * common request (a secret, Baidu's) pays for none of it.
 */
import type { AssertionContext } from '../core/client-assertion.js';
import type { ClientCredentialsInput } from '../core/client-auth.js';
import type { Params } from '../core/params.js';
import type { Services } from './context.js';

// The token endpoint's path (endpoints/token.ts owns it; a helper imports no route module).
const TOKEN_ENDPOINT_PATH = '/oauth/2.0/token';

function assertionContext(services: Services, path: string): AssertionContext {
  const issuer = services.config.issuer;
  // The jti is held to single use by the replay cache every instance shares (stores.replays, core/replays.ts).
  return { keys: services.clientKeys, replays: services.stores.replays, audiences: [issuer, `${issuer}${TOKEN_ENDPOINT_PATH}`, `${issuer}${path}`], now: services.clock.now() };
}

export function clientCredentials(services: Services, path: string, authorization: string | undefined, params: Params): ClientCredentialsInput {
  if (params['client_assertion'] === undefined && params['client_assertion_type'] === undefined) return { authorization, params };
  return { authorization, params, assertion: assertionContext(services, path) };
}
