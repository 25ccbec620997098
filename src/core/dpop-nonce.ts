/**
 * Server-provided DPoP nonces (RFC 9449 §8, §9; SPEC §8 with
 * GATEHOUSE_DPOP_NONCE=1), without a table: a nonce is the second it was
 * given and an HMAC of that second under a key every instance shares, so any
 * instance (token endpoint or resource) recognises what another gave, for 5
 * minutes. RFC 9449 §8 leaves the nonce's form to the server; a MAC makes it
 * unforgeable, so a client cannot mint one that looks fresh.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { NonceSource } from './dpop.js';

/** SPEC §8: a nonce the server gave within the last 5 minutes. */
export const NONCE_LIFETIME_SECONDS = 300;

/** Instances' clocks may differ a little: a nonce a peer gave "in the future" by this much still counts. */
const PEER_CLOCK_SKEW_SECONDS = 5;

const MAC_BYTES = 16;

export class HmacNonces implements NonceSource {
  constructor(private readonly key: Buffer) {}

  private mac(second: number): Buffer {
    return createHmac('sha256', this.key).update(`dpop-nonce:${second}`).digest().subarray(0, MAC_BYTES);
  }

  /** A new value each second; every instance gives the same one in the same second. */
  current(now: number): string {
    const second = Math.floor(now / 1000);
    return `${second.toString(36)}.${this.mac(second).toString('base64url')}`;
  }

  isFresh(nonce: string, now: number): boolean {
    const match = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{22})$/.exec(nonce);
    if (!match) return false;
    const second = parseInt(match[1]!, 36);
    const nowSecond = Math.floor(now / 1000);
    if (second > nowSecond + PEER_CLOCK_SKEW_SECONDS || nowSecond - second > NONCE_LIFETIME_SECONDS) return false;
    const presented = Buffer.from(match[2]!, 'base64url');
    return presented.length === MAC_BYTES && timingSafeEqual(presented, this.mac(second));
  }
}
