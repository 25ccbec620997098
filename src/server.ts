/**
 * Assembling a running instance from configuration: the database, the cookie
 * key every instance shares, the rate limiter, the logger, then buildApp.
 * The only place (with cli.ts) that picks implementations.
 */
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import type { Config } from './config.js';
import { mintSecret } from './core/tokens.js';
import { buildApp, type AppDeps, type Services } from './http/app.js';
import { MemoryRateLimiter } from './storage/memory/rate-limiter.js';
import { openDatabase, type OpenedDatabase } from './storage/sql/connect.js';
import { getOrCreateSetting } from './storage/sql/settings.js';

export interface Instance {
  app: FastifyInstance;
  services: Services;
  database: OpenedDatabase;
  close(): Promise<void>;
}

export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  // Defence in depth: even if a secret reached a log object, these paths are censored.
  return pino({
    level: config.logLevel,
    base: undefined,
    redact: { paths: ['*.password', '*.client_secret', '*.access_token', '*.refresh_token', '*.code', '*.authorization', '*.cookie'], censor: '[redacted]' },
  });
}

export async function createInstance(config: Readonly<Config>, overrides: Partial<AppDeps> = {}): Promise<Instance> {
  const database = await openDatabase(config.databaseUrl, { poolSize: config.poolSize });
  try {
    const keyText = config.cookieSecret ?? (await getOrCreateSetting(database.db, 'cookie_key', () => mintSecret()));
    const { app, services } = await buildApp({
      config,
      stores: database.stores,
      rateLimiter: new MemoryRateLimiter(),
      cookieKey: Buffer.from(keyText, 'utf8'),
      ready: database.ping,
      ...overrides,
    });
    return {
      app,
      services,
      database,
      close: async () => {
        await app.close();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}
