/**
 * What every route module is given, and the shape of a route module. A route
 * module imports this file and the edge helpers beside it, never app.ts or
 * another route module; app.ts only assembles (ARCHITECTURE.md, "The HTTP
 * layer as it grows").
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import type { FailureLog } from '../core/failures.js';
import type { SetupTokenStore } from '../core/first-run.js';
import type { GrantRegistry } from '../core/grants/index.js';
import type { ClientKeys, Clock, RateLimiter, Stores } from '../core/ports.js';
import type { Signer, SigningKeyManager } from '../core/signing.js';
import type { CookieSigner } from './cookies.js';
import type { Metrics } from './metrics.js';

/** The app's dependencies, resolved once by buildApp. */
export interface Services {
  config: Readonly<Config>;
  /** Signs id_tokens and JWTs; verifies what this server signed; the JWKS (SPEC §7). */
  signer: Signer;
  keys: SigningKeyManager;
  stores: Stores;
  rateLimiter: RateLimiter;
  cookies: CookieSigner;
  /** Keys Baidu's pairwise openid/unionid (getInfo). */
  openidKey: Buffer;
  failures: FailureLog;
  setupTokens: SetupTokenStore;
  clock: Clock;
  grants: GrantRegistry;
  metrics: Metrics;
  /** Names of the scopes the server knows (cached for a second). */
  knownScopes(): Promise<ReadonlySet<string>>;
  /** Readiness: throws when the database cannot be reached. */
  ready: () => Promise<void>;
  /** An app's sealed Secret Key and public keys, for JWT client authentication (SPEC §8). */
  clientKeys: ClientKeys;
}

/**
 * One endpoint, or one group of pages: a Fastify plugin that receives the
 * services (and its own options, from its row in routes.ts). Each module owns
 * its path constants.
 */
export type RouteModule<Options extends object = object> = (app: FastifyInstance, options: Options & { services: Services }) => Promise<void>;
