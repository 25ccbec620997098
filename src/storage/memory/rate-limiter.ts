/**
 * Fixed-window counters in process memory: the rate limiter of a single
 * instance (without Redis, limits are per instance; the README says so).
 */
import type { RateLimiter } from '../../core/ports.js';

const MAX_KEYS = 100_000;

export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { count: number; endsAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async hit(key: string, limit: number, windowSeconds: number) {
    const now = this.now();
    let window = this.windows.get(key);
    if (window === undefined || window.endsAt <= now) {
      if (this.windows.size >= MAX_KEYS) this.sweep(now);
      window = { count: 0, endsAt: now + windowSeconds * 1000 };
      this.windows.set(key, window);
    }
    window.count += 1;
    return { allowed: window.count <= limit, retryAfter: Math.max(1, Math.ceil((window.endsAt - now) / 1000)) };
  }

  async peek(key: string, limit: number) {
    const now = this.now();
    const window = this.windows.get(key);
    if (window === undefined || window.endsAt <= now) return { allowed: true, retryAfter: 0 };
    return { allowed: window.count < limit, retryAfter: Math.max(1, Math.ceil((window.endsAt - now) / 1000)) };
  }

  async reset(key: string) {
    this.windows.delete(key);
  }

  /** Drops ended windows; if every window is live, the oldest go (keys are attacker-controlled). */
  private sweep(now: number): void {
    for (const [key, window] of this.windows) if (window.endsAt <= now) this.windows.delete(key);
    for (const key of this.windows.keys()) {
      if (this.windows.size < MAX_KEYS) break;
      this.windows.delete(key);
    }
  }
}
