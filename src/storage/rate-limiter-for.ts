/**
 * Which rate limiter an instance uses: with GATEHOUSE_REDIS_URL, Redis shared
 * by every instance, falling back to per-instance memory while Redis is
 * unreachable (failover-rate-limiter.ts says why); without it, memory, so
 * limits are per instance (README "Scale-out").
 */
import type { Config } from '../config.js';
import type { RateLimiter } from '../core/ports.js';
import { FailoverRateLimiter } from './failover-rate-limiter.js';
import { MemoryRateLimiter } from './memory/rate-limiter.js';

export async function rateLimiterFor(
  config: Pick<Config, 'redisUrl'> & Partial<Pick<Config, 'redisPrefix'>>,
  logger?: { warn(fields: object, message: string): void },
): Promise<{ rateLimiter: RateLimiter; close(): Promise<void> }> {
  if (config.redisUrl === undefined) return { rateLimiter: new MemoryRateLimiter(), close: async () => {} };
  // Loaded only when configured: ioredis costs ~15 MB of memory an instance without Redis never needs.
  const { RedisRateLimiter } = await import('./redis/rate-limiter.js');
  const redis = new RedisRateLimiter(config.redisUrl, config.redisPrefix === undefined ? {} : { prefix: config.redisPrefix });
  const warn = (message: string, error: unknown) => logger?.warn({ err: { message: (error as Error)?.message ?? String(error) } }, message);
  return { rateLimiter: new FailoverRateLimiter(redis, new MemoryRateLimiter(), warn), close: () => redis.close() };
}
