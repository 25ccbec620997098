import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RateLimiter } from '../../src/core/ports.js';
import { FailoverRateLimiter } from '../../src/storage/failover-rate-limiter.js';
import { MemoryRateLimiter } from '../../src/storage/memory/rate-limiter.js';
import { rateLimiterFor } from '../../src/storage/rate-limiter-for.js';
import { Browser } from '../helpers/browserless-flow.js';
import { fakeClock } from '../helpers/fixtures.js';
import { freePort, startServer, type TestServer } from '../helpers/server.js';

/** A limiter that fails while `down` is true, like Redis during an outage. */
function flaky(inner: RateLimiter): RateLimiter & { down: boolean } {
  const limiter = {
    down: true,
    async hit(key: string, limit: number, window: number) {
      if (limiter.down) throw new Error('connection refused');
      return inner.hit(key, limit, window);
    },
    async peek(key: string, limit: number) {
      if (limiter.down) throw new Error('connection refused');
      return inner.peek(key, limit);
    },
    async reset(key: string) {
      if (limiter.down) throw new Error('connection refused');
      return inner.reset(key);
    },
  };
  return limiter;
}

describe('rate limits while the shared limiter is down', () => {
  it('keep limiting per instance, warn once a minute, and go back to the shared counters when it answers', async () => {
    const clock = fakeClock();
    const shared = new MemoryRateLimiter(clock.now);
    const primary = flaky(shared);
    const warnings: string[] = [];
    const rl = new FailoverRateLimiter(primary, new MemoryRateLimiter(clock.now), (message) => warnings.push(message), 60_000, clock.now);
    for (let i = 0; i < 5; i += 1) assert.equal((await rl.hit('ip:1', 5, 600)).allowed, true);
    assert.equal((await rl.hit('ip:1', 5, 600)).allowed, false, 'the 6th is still refused during the outage');
    assert.equal((await rl.peek('ip:1', 5)).allowed, false);
    assert.equal(warnings.length, 1);
    clock.advance(61);
    await rl.hit('ip:2', 5, 600);
    assert.equal(warnings.length, 2);
    primary.down = false;
    assert.deepEqual(await rl.hit('ip:1', 5, 600), { allowed: true, retryAfter: 600 }, 'shared counters again');
    assert.equal((await shared.peek('ip:1', 5)).allowed, true);
    assert.equal(warnings.length, 2);
  });

  it('answers from memory when GATEHOUSE_REDIS_URL names a Redis nobody listens on', async () => {
    const port = await freePort();
    const warnings: string[] = [];
    const { rateLimiter, close } = await rateLimiterFor({ redisUrl: `redis://127.0.0.1:${port}` }, { warn: (_fields, message) => warnings.push(message) });
    try {
      for (let i = 0; i < 3; i += 1) assert.equal((await rateLimiter.hit('k', 3, 60)).allowed, true);
      assert.deepEqual(await rateLimiter.hit('k', 3, 60), { allowed: false, retryAfter: 60 });
      await rateLimiter.reset('k');
      assert.deepEqual(await rateLimiter.peek('k', 3), { allowed: true, retryAfter: 0 });
      assert.deepEqual(warnings, ['shared rate limiter unreachable: limiting per instance until it answers again']);
    } finally {
      await close();
    }
  });

  describe('a server whose Redis is down', () => {
    let server: TestServer;
    let clientId: string;
    const redirectUri = 'https://app.example.com/cb';
    before(async () => {
      server = await startServer({ env: { GATEHOUSE_REDIS_URL: `redis://127.0.0.1:${await freePort()}` } });
      ({ clientId } = await server.createApp({ redirectUris: [redirectUri] }));
      await server.createUser('alice', 'correct horse battery');
    });
    after(() => server.close());

    it('still answers sign-in with 429 and Retry-After after 10 wrong passwords, never a 500', async () => {
      const browser = new Browser(server.url);
      let page = await browser.request(`/oauth/2.0/authorize?${new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: redirectUri })}`);
      const form = page;
      const statuses: number[] = [];
      for (let i = 0; i < 11; i += 1) {
        page = await browser.submit(form, { username: 'alice', password: `wrong ${i}` });
        statuses.push(page.status);
      }
      assert.deepEqual(statuses, [...Array(10).fill(200), 429]);
      // The 10-minute window began at the first wrong password; on a loaded machine the eleven requests may take seconds.
      const retryAfter = Number(page.headers.get('retry-after'));
      assert.ok(Number.isInteger(retryAfter) && retryAfter > 540 && retryAfter <= 600, `Retry-After ${retryAfter}`);
      assert.match(page.body, /name="password"/);
    });
  });
});
