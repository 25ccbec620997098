/**
 * Fixed-window counters in Redis, shared by every instance (GATEHOUSE_REDIS_URL):
 * the 6th wrong user code from one address (SPEC §3) is the 6th whichever
 * instance each guess landed on.
 *
 * One Lua script counts and starts the window atomically (INCR, then PEXPIRE
 * on the first hit), so concurrent hits from several instances neither lose
 * counts nor leave a key without an expiry.
 */
import { Redis } from 'ioredis';
import type { RateLimiter } from '../../core/ports.js';

// KEYS[1] counter; ARGV[1] window in ms. Returns {count, ms left}.
// The PTTL guard repairs a key that somehow lost its expiry, so no counter lives forever.
const HIT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local left = redis.call('PTTL', KEYS[1])
if left < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); left = tonumber(ARGV[1]) end
return {count, left}
`;

// KEYS[1] counter. Returns {count, ms left} without counting (0, 0 when there is no window).
const PEEK = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
local left = redis.call('PTTL', KEYS[1])
if left < 0 then left = 0 end
return {count, left}
`;

type Reply = [number, number];

interface ScriptedRedis extends Redis {
  gatehouseHit(key: string, windowMs: number): Promise<Reply>;
  gatehousePeek(key: string): Promise<Reply>;
}

export interface RedisRateLimiterOptions {
  /** Prefix of every key, so several deployments (or test runs) can share one Redis. */
  prefix?: string;
  /** Milliseconds a command may take before it counts as a failure (default 500). */
  commandTimeoutMs?: number;
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

export class RedisRateLimiter implements RateLimiter {
  private readonly redis: ScriptedRedis;
  private readonly prefix: string;

  constructor(url: string, options: RedisRateLimiterOptions = {}) {
    this.prefix = options.prefix ?? 'gatehouse:rl:';
    this.redis = new Redis(url, {
      // Fail fast while Redis is away instead of queueing: the caller falls back (fallback-rate-limiter.ts).
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: options.commandTimeoutMs ?? 500,
      connectTimeout: 2_000,
      // Reconnect forever, at most every 2 s: Redis coming back restores shared limits by itself.
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
      // No auto-pipelining: with the offline queue off, its rejections escape the caller's await and crash the process.
    }) as ScriptedRedis;
    // Without a listener an unreachable Redis would be an unhandled 'error' event, which kills the process.
    this.redis.on('error', () => {});
    this.redis.defineCommand('gatehouseHit', { numberOfKeys: 1, lua: HIT });
    this.redis.defineCommand('gatehousePeek', { numberOfKeys: 1, lua: PEEK, readOnly: true });
  }

  /** Resolves once connected and answering, rejects after `timeoutMs` (tests; start-up checks). */
  async ping(timeoutMs = 5_000): Promise<void> {
    if (this.redis.status !== 'ready') {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.redis.off('ready', onReady);
          reject(new Error(`Redis did not answer within ${timeoutMs} ms`));
        }, timeoutMs);
        const onReady = () => {
          clearTimeout(timer);
          resolve();
        };
        this.redis.once('ready', onReady);
      });
    }
    await this.redis.ping();
  }

  async hit(key: string, limit: number, windowSeconds: number) {
    const [count, left] = await this.redis.gatehouseHit(this.prefix + key, windowSeconds * 1000);
    return { allowed: count <= limit, retryAfter: seconds(left) };
  }

  async peek(key: string, limit: number) {
    const [count, left] = await this.redis.gatehousePeek(this.prefix + key);
    if (count === 0) return { allowed: true, retryAfter: 0 };
    return { allowed: count < limit, retryAfter: seconds(left) };
  }

  async reset(key: string) {
    await this.redis.del(this.prefix + key);
  }

  /** Deletes every key under this limiter's prefix (tests clean up their run). */
  async clear(): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await this.redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
