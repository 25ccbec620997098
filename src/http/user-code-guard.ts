/**
 * Guessing user codes (RFC 8628 §5.1). A code has ~35 bits, so the limits,
 * not the code's length, make guessing hopeless:
 * - per client address: the 6th wrong code within 10 minutes gets 429 (SPEC §3),
 *   and so does every attempt after it until the window ends;
 * - per device code: a code entered more than 10 times within 10 minutes
 *   (from anywhere) is locked for the rest of the window, so a leaked or
 *   shoulder-surfed code cannot be tried from many browsers at once.
 * The QR endpoint, which also answers whether a code exists, counts its misses
 * against the same per-address budget.
 */
import type { FastifyRequest } from 'fastify';
import type { RateLimiter } from '../core/ports.js';

const WRONG_PER_ADDRESS = { limit: 5, window: 600 };
const USES_PER_DEVICE = { limit: 10, window: 600 };

export class UserCodeGuard {
  constructor(private readonly limiter: RateLimiter) {}

  private addressKey(request: FastifyRequest): string {
    return `user-code:${request.ip}`;
  }

  /** Seconds to wait when this address may not try another code now; undefined when it may. */
  async blocked(request: FastifyRequest): Promise<number | undefined> {
    const { allowed, retryAfter } = await this.limiter.peek(this.addressKey(request), WRONG_PER_ADDRESS.limit);
    return allowed ? undefined : retryAfter;
  }

  /** Counts a wrong code; the seconds to wait when it was one too many. */
  async wrong(request: FastifyRequest): Promise<number | undefined> {
    const { allowed, retryAfter } = await this.limiter.hit(this.addressKey(request), WRONG_PER_ADDRESS.limit, WRONG_PER_ADDRESS.window);
    return allowed ? undefined : retryAfter;
  }

  /** Counts one entry of a device's code; the seconds to wait when that code is used too often. */
  async entered(deviceId: number): Promise<number | undefined> {
    const { allowed, retryAfter } = await this.limiter.hit(`device-code:${deviceId}`, USES_PER_DEVICE.limit, USES_PER_DEVICE.window);
    return allowed ? undefined : retryAfter;
  }
}
