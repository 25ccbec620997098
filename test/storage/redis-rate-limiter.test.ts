import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { RedisRateLimiter } from '../../src/storage/redis/rate-limiter.js';
import { rateLimiterContract } from './rate-limiter-contract.js';

const REDIS_URL = process.env['GATEHOUSE_TEST_REDIS_URL'];
const SKIP = 'skipping Redis rate limiter suite: set GATEHOUSE_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379)';

if (REDIS_URL === undefined) {
  test('Redis rate limiter contract', (t) => {
    t.diagnostic(SKIP);
    console.log(SKIP);
  });
} else {
  const url = REDIS_URL;
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
}
