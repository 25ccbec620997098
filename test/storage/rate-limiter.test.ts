import { MemoryRateLimiter } from '../../src/storage/memory/rate-limiter.js';
import { fakeClock } from '../helpers/fixtures.js';
import { rateLimiterContract } from './rate-limiter-contract.js';

rateLimiterContract('memory', async () => {
  const clock = fakeClock();
  return { limiter: new MemoryRateLimiter(clock.now), wait: async (seconds) => clock.advance(seconds), close: async () => {} };
});
