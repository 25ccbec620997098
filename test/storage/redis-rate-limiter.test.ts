import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { RedisRateLimiter } from '../../src/storage/redis/rate-limiter.js';
import { rateLimiterContract } from './rate-limiter-contract.js';
import { withRedis } from './redis-suite.js';

withRedis('Redis rate limiter contract', (url) => {
  rateLimiterContract('Redis', async () => {
    // One prefix per run: parallel runs and other suites never see each other's counters.
    const prefix = `gatehouse-test:${randomBytes(6).toString('hex')}:`;
    const limiter = new RedisRateLimiter(url, { prefix });
    const peer = new RedisRateLimiter(url, { prefix });
    await limiter.ping();
    return {
      limiter,
      peer,
      wait: (seconds) => sleep(seconds * 1000),
      close: async () => {
        await limiter.clear();
        await Promise.all([limiter.close(), peer.close()]);
      },
    };
  });
});
