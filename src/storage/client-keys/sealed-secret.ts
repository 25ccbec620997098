/**
 * A client_secret_jwt app's Secret Key at rest (SPEC §8): "stored encrypted
 * under GATEHOUSE_KEYS_SECRET when set, as the signing keys are" — so it is
 * sealed by the very sealer of the signing keys (storage/keys/seal.ts,
 * AES-256-GCM under an HKDF-SHA256 key), as an `oct` JWK (RFC 7518 §6.4)
 * whose additional data is `client_secret:CLIENT_ID`: a sealed secret copied
 * onto another app's row does not open. Without the secret it is clear JSON,
 * as the signing keys are.
 */
import { keySealer, type StoredPrivateKey } from '../keys/seal.js';

export interface SecretSealer {
  seal(clientId: string, secret: string): string;
  open(clientId: string, sealed: string): string;
}

const kidFor = (clientId: string) => `client_secret:${clientId}`;

export function secretSealer(keysSecret: string | undefined): SecretSealer {
  const sealer = keySealer(keysSecret);
  return {
    seal(clientId, secret) {
      const stored = sealer.seal(kidFor(clientId), { kty: 'oct', k: Buffer.from(secret, 'utf8').toString('base64url') });
      return JSON.stringify(stored);
    },
    open(clientId, sealed) {
      const jwk = sealer.open(kidFor(clientId), JSON.parse(sealed) as StoredPrivateKey);
      return Buffer.from(String(jwk['k']), 'base64url').toString('utf8');
    },
  };
}
