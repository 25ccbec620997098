/**
 * Opaque credentials (tokens, codes, secrets). A token is `id.secret`: the id
 * locates the row (a growing integer, so inserts append: PERFORMANCE-NOTES.md),
 * the row keeps only SHA-256(secret), compared in constant time. The secret
 * carries 256 bits of entropy, so a fast hash is enough (RFC 9700 §4.14 wants
 * credentials unguessable; no slow KDF is needed for random secrets).
 */
import { hash, randomFillSync, timingSafeEqual } from 'node:crypto';

const SECRET_BYTES = 32;
// Random bytes are drawn in blocks: one syscall for many tokens.
const POOL_SIZE = SECRET_BYTES * 256;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let poolOffset = POOL_SIZE;

function randomBytesFromPool(size: number): Buffer {
  if (poolOffset + size > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const out = Buffer.from(pool.subarray(poolOffset, poolOffset + size));
  // Never hand out the same bytes twice.
  pool.fill(0, poolOffset, poolOffset + size);
  poolOffset += size;
  return out;
}

/** 43 characters of base64url: only unreserved characters (SPEC §2). */
export function mintSecret(): string {
  return randomBytesFromPool(SECRET_BYTES).toString('base64url');
}

// crypto.hash is one-shot: no Hash object per call (SHA-256 runs twice per token request).
export function hashSecret(secret: string): string {
  return hash('sha256', secret, 'base64url');
}

/** Constant-time check of a presented secret against a stored hash. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashSecret(secret));
  const stored = Buffer.from(storedHash);
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

export function formatToken(id: number, secret: string): string {
  return `${id}.${secret}`;
}

const TOKEN_SHAPE = /^([1-9][0-9]{0,15})\.([A-Za-z0-9_-]{43})$/;

/** Splits `id.secret`; anything of another shape is not one of ours. */
export function parseToken(token: string): { id: number; secret: string } | undefined {
  const match = TOKEN_SHAPE.exec(token);
  if (!match) return undefined;
  const id = Number(match[1]);
  if (!Number.isSafeInteger(id)) return undefined;
  return { id, secret: match[2]! };
}

/** A random string of unreserved characters, for ids that are not secrets. */
export function randomId(bytes = 12): string {
  return randomBytesFromPool(bytes).toString('base64url');
}
