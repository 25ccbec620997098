/**
 * Assembling a running instance from configuration: the database, the cookie
 * key every instance shares, the rate limiter, the logger, then buildApp.
 * The only place (with cli.ts) that picks implementations.
 */
import type { FastifyInstance } from 'fastify';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from './config.js';
import { mintSecret } from './core/tokens.js';
import { Metrics } from './http/metrics.js';
import { buildApp, type AppDeps, type Services } from './http/app.js';
import { scheduleGc } from './jobs/gc.js';
import { rateLimiterFor } from './storage/rate-limiter-for.js';
import { openDatabase, type OpenedDatabase } from './storage/sql/connect.js';
import { getOrCreateSetting } from './storage/sql/settings.js';
import { TurnLogDestination } from './turn-log-destination.js';
import { SqlFailureLog } from './storage/sql/failure-log.js';
import { SqlSetupTokenStore } from './storage/sql/setup-tokens.js';
import { openSigner } from './storage/keys/index.js';
import { joseProofSignature } from './storage/keys/jose-dpop.js';
import type { Signer, SigningKeyManager } from './core/signing.js';
import { isFirstProcess } from './cluster.js';
import { scheduleLogoutDelivery, type LogoutDeliveryOptions, type LogoutDeliverySchedule } from './jobs/logout-delivery.js';
import { httpLogoutSender } from './storage/outbound/logout-sender.js';

export interface Instance {
  app: FastifyInstance;
  services: Services;
  database: OpenedDatabase;
  /** Signs and verifies with the current keys (SPEC §7); the app has it as services.signer. */
  signer: Signer;
  keys: SigningKeyManager;
  /** The back-channel logout worker of this instance (src/jobs/logout-delivery.ts). */
  logoutDelivery: LogoutDeliverySchedule;
  close(): Promise<void>;
}

export interface InstanceOptions {
  /** The back-channel logout worker's timings (tests shorten them). */
  logoutDelivery?: LogoutDeliveryOptions;
}

export function createLogger(config: Pick<Config, 'logLevel'>, destination?: DestinationStream): Logger {
  // Defence in depth: even if a secret reached a log object, these paths are censored.
  return pino({
    level: config.logLevel,
    base: undefined,
    redact: { paths: ['*.password', '*.client_secret', '*.access_token', '*.refresh_token', '*.code', '*.authorization', '*.cookie', '*.client_assertion', '*.request_uri'], censor: '[redacted]' },
  }, destination ?? new TurnLogDestination(1));
}

export async function createInstance(config: Readonly<Config>, overrides: Partial<AppDeps> = {}, options: InstanceOptions = {}): Promise<Instance> {
  const database = await openDatabase(config.databaseUrl, { poolSize: config.poolSize });
  // Redis when configured (limits shared by every instance), else this process's memory.
  const limiter = await rateLimiterFor(config, overrides.logger);
  let signing: Awaited<ReturnType<typeof openSigner>> | undefined;
  try {
    // Makes the first keys on a fresh database; a wrong GATEHOUSE_KEYS_SECRET fails the start here.
    // The warning about clear keys comes once per start, from the first process (not once per worker).
    signing = await openSigner(database.db, config, overrides.logger, { warnIfClear: isFirstProcess() });
    const keyText = config.cookieSecret ?? (await getOrCreateSetting(database.db, 'cookie_key', () => mintSecret()));
    const { app, services } = await buildApp({
      config,
      signer: signing.signer,
      keys: signing.keys,
      stores: database.stores,
      rateLimiter: limiter.rateLimiter,
      cookieKey: Buffer.from(keyText, 'utf8'),
      // Its own key, kept in the database: openids must outlive a change of cookie secret.
      openidKey: Buffer.from(await getOrCreateSetting(database.db, 'openid_key', () => mintSecret()), 'utf8'),
      ready: database.ping,
      // In the database: recent failures survive restarts and are seen by every instance.
      failures: new SqlFailureLog(database.db, database.stores.apps, (error) => overrides.logger?.warn({ err: error }, 'recording a failure failed')),
      setupTokens: new SqlSetupTokenStore(database.db),
      metrics: new Metrics({ processMetrics: true }),
      dpopProofs: joseProofSignature,
      ...overrides,
    });
    // Expired and spent rows go in bounded batches, one instance at a time (src/jobs/gc.ts).
    const gc = scheduleGc(database, config.gcIntervalSeconds * 1000, app.log, { dynamicClientTtlSeconds: config.dynamicClientTtlSeconds });
    // Every instance sends the outbox's due back-channel logouts; a claim keeps a row to one sender.
    const logoutDelivery = scheduleLogoutDelivery(
      {
        outbox: services.stores.logouts,
        apps: services.stores.apps,
        signer: services.signer,
        sender: httpLogoutSender({ allowPrivate: config.allowPrivateFetch }),
        clock: services.clock,
        issuer: config.issuer,
        openidKey: services.openidKey,
        log: app.log,
      },
      options.logoutDelivery,
    );
    return {
      app,
      services,
      database,
      signer: signing.signer,
      keys: signing.keys,
      logoutDelivery,
      close: async () => {
        await logoutDelivery.stop();
        await gc.stop();
        signing?.close();
        await app.close();
        await services.failures.flush?.();
        await limiter.close();
        await database.close();
      },
    };
  } catch (error) {
    signing?.close();
    await limiter.close();
    await database.close();
    throw error;
  }
}
