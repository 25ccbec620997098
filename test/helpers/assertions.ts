/** Client assertions for tests (RFC 7523): key pairs, signed assertions, the form that carries one, a replay cache double. */
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { JWT_BEARER_ASSERTION, type AssertionReplays } from '../../src/core/client-assertion.js';
import { MemoryReplayCache } from '../../src/storage/memory/replays.js';
import { T0 } from './fixtures.js';

/** The reference replay cache (stores.replays in memory), for unit tests of assertion checks. */
export function replayCache(): AssertionReplays {
  return new MemoryReplayCache();
}

export interface KeyPair {
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function keyPair(alg: string, kid: string): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg } };
}

export const seconds = (ms: number) => Math.floor(ms / 1000);

/** RFC 7523 §3's claims for `clientId`, valid a minute from `now`. */
export function claims(clientId: string, audience: string | string[], overrides: Record<string, unknown> = {}, now = T0) {
  return { iss: clientId, sub: clientId, aud: audience, jti: `jti-${Math.random()}`, exp: seconds(now) + 60, iat: seconds(now), ...overrides };
}

export async function sign(key: CryptoKey | Uint8Array, alg: string, payload: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg, ...header }).sign(key);
}

export function form(assertion: string, extra: Record<string, string> = {}): Record<string, string> {
  return { client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: assertion, ...extra };
}
