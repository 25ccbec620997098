/**
 * What happens to rate limits when Redis is down: neither open nor closed,
 * but per instance. Each call that Redis cannot answer is answered by this
 * instance's memory limiter instead, so:
 *
 * - sign-in and user-code guessing stay limited (per instance, as without
 *   Redis) — failing open would hand an attacker an outage as a window for
 *   unlimited guesses;
 * - nobody is locked out and no request gets a 500 — failing closed would
 *   turn a cache outage into a sign-in outage;
 * - Redis coming back (ioredis reconnects by itself) restores shared limits.
 *
 * The operator learns of it from one warning per `warnEveryMs` while it lasts.
 */
import type { RateLimiter } from '../core/ports.js';

export class FailoverRateLimiter implements RateLimiter {
  private lastWarning = -Infinity;

  constructor(
    private readonly primary: RateLimiter,
    private readonly fallback: RateLimiter,
    private readonly warn: (message: string, error: unknown) => void,
    private readonly warnEveryMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  private async either<T>(run: (limiter: RateLimiter) => Promise<T>): Promise<T> {
    try {
      return await run(this.primary);
    } catch (error) {
      const now = this.now();
      if (now - this.lastWarning >= this.warnEveryMs) {
        this.lastWarning = now;
        this.warn('shared rate limiter unreachable: limiting per instance until it answers again', error);
      }
      return run(this.fallback);
    }
  }

  hit(key: string, limit: number, windowSeconds: number) {
    return this.either((limiter) => limiter.hit(key, limit, windowSeconds));
  }

  peek(key: string, limit: number) {
    return this.either((limiter) => limiter.peek(key, limit));
  }

  reset(key: string) {
    return this.either((limiter) => limiter.reset(key));
  }
}
