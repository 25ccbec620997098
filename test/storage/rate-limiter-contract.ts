/**
 * The one contract every RateLimiter passes (memory and Redis): fixed
 * windows, `limit` hits allowed, the next denied with the seconds left.
 * `wait` lets a window end: a fake clock for memory, real time for Redis.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RateLimiter } from '../../src/core/ports.js';
import { randomId } from '../../src/core/tokens.js';

export interface OpenedLimiter {
  limiter: RateLimiter;
  /** Lets `seconds` pass for the limiter. */
  wait(seconds: number): Promise<void>;
  /** A second limiter over the same counters (another instance), when there is one. */
  peer?: RateLimiter;
  close(): Promise<void>;
}

export function rateLimiterContract(name: string, open: () => Promise<OpenedLimiter>): void {
  describe(`${name} rate limiter contract`, () => {
    let opened: OpenedLimiter;
    let rl: RateLimiter;
    // Every test its own keys: a shared Redis keeps counters between tests.
    const key = () => `ip:${randomId(8)}`;
    before(async () => {
      opened = await open();
      rl = opened.limiter;
    });
    after(async () => {
      await opened.close();
    });

    it('allows `limit` hits in a window and denies the next with the seconds left (SPEC §3: the 6th wrong user code in 10 minutes)', async () => {
      const k = key();
      for (let i = 0; i < 5; i += 1) assert.deepEqual(await rl.hit(k, 5, 600), { allowed: true, retryAfter: 600 });
      const sixth = await rl.hit(k, 5, 600);
      assert.equal(sixth.allowed, false);
      assert.ok(sixth.retryAfter >= 599 && sixth.retryAfter <= 600, `retryAfter ${sixth.retryAfter}`);
    });
    it('opens a new window once the old one ends', async () => {
      const k = key();
      for (let i = 0; i < 3; i += 1) await rl.hit(k, 2, 1);
      assert.equal((await rl.hit(k, 2, 1)).allowed, false);
      await opened.wait(1.2);
      assert.deepEqual(await rl.hit(k, 2, 1), { allowed: true, retryAfter: 1 });
      assert.deepEqual(await rl.peek(k, 2), { allowed: true, retryAfter: 1 });
    });
    it('keeps keys apart', async () => {
      const [a, b] = [key(), key()];
      for (let i = 0; i < 6; i += 1) await rl.hit(a, 5, 600);
      assert.equal((await rl.hit(b, 5, 600)).allowed, true);
    });
    it('peeks at whether the next hit would pass without counting one', async () => {
      const k = key();
      assert.deepEqual(await rl.peek(k, 2), { allowed: true, retryAfter: 0 });
      await rl.hit(k, 2, 60);
      for (let i = 0; i < 3; i += 1) assert.equal((await rl.peek(k, 2)).allowed, true);
      await rl.hit(k, 2, 60);
      assert.deepEqual(await rl.peek(k, 2), { allowed: false, retryAfter: 60 });
    });
    it('forgets a key on reset', async () => {
      const k = key();
      for (let i = 0; i < 6; i += 1) await rl.hit(k, 5, 600);
      await rl.reset(k);
      assert.deepEqual(await rl.peek(k, 5), { allowed: true, retryAfter: 0 });
      assert.equal((await rl.hit(k, 5, 600)).allowed, true);
    });
    it('counts 60 concurrent hits exactly: 10 allowed, 50 denied, however they are spread over instances', async () => {
      const k = key();
      const limiters = opened.peer === undefined ? [rl] : [rl, opened.peer];
      const results = await Promise.all(Array.from({ length: 60 }, (_, i) => limiters[i % limiters.length]!.hit(k, 10, 600)));
      assert.equal(results.filter((r) => r.allowed).length, 10);
      assert.deepEqual(await (opened.peer ?? rl).peek(k, 10), { allowed: false, retryAfter: 600 });
    });
  });
}
