/** Making a key with jose (SPEC §7: RS256/PS256 RSA 2048, ES256 P-256, EdDSA Ed25519); the kid is its RFC 7638 thumbprint. */
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { publicJwkEntry, type JwsAlg, type StoredSigningKey } from '../../core/signing.js';
import type { KeySealer } from './seal.js';

const OPTIONS: Record<JwsAlg, Parameters<typeof generateKeyPair>[1]> = {
  RS256: { modulusLength: 2048 },
  PS256: { modulusLength: 2048 },
  ES256: { crv: 'P-256' },
  EdDSA: { crv: 'Ed25519' },
};

export async function generateSigningKey(
  alg: JwsAlg,
  times: { generation: number; createdAt: number; activatesAt: number },
  sealer: KeySealer,
): Promise<StoredSigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { ...OPTIONS[alg], extractable: true });
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  const publicJwk = publicJwkEntry(kid, alg, jwk as Record<string, unknown>);
  // Only the key members: kid/alg live in their own columns.
  const { kid: _kid, alg: _alg, use: _use, ...publicMembers } = publicJwk;
  return {
    kid,
    alg,
    generation: times.generation,
    publicJwk: publicMembers,
    ...sealer.seal(kid, (await exportJWK(privateKey)) as Record<string, unknown>),
    createdAt: times.createdAt,
    activatesAt: times.activatesAt,
    retiredAt: null,
  };
}
