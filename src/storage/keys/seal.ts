/**
 * How a private JWK is stored (SPEC §7): under GATEHOUSE_KEYS_SECRET, AES-256-GCM
 * with a key derived from the secret by HKDF-SHA256 (node:crypto, nothing
 * hand-rolled), a fresh 96-bit IV per key and the kid as additional data (a
 * sealed key copied onto another row does not open); without a secret, clear
 * JSON. A stored key that cannot be opened is a ConfigError with a message the
 * operator can act on, never a stack.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { ConfigError } from '../../config.js';

export const CLEAR = 'none';
export const SEALED = 'A256GCM-HKDF-SHA256';
const VERSION = 'v1';
// Fixed salt and info: the secret is the only input that varies, and it is one per installation.
const SALT = Buffer.from('gatehouse signing keys', 'utf8');
const INFO = Buffer.from('private JWK v1', 'utf8');

export interface StoredPrivateKey {
  privateJwk: string;
  encryption: string;
}

export interface KeySealer {
  /** Whether new keys are stored encrypted. */
  readonly encrypts: boolean;
  seal(kid: string, jwk: Record<string, unknown>): StoredPrivateKey;
  open(kid: string, stored: StoredPrivateKey): Record<string, unknown>;
}

export function keySealer(secret: string | undefined): KeySealer {
  const key = secret === undefined ? undefined : Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), SALT, INFO, 32));
  return {
    encrypts: key !== undefined,
    seal(kid, jwk) {
      const text = JSON.stringify(jwk);
      if (key === undefined) return { privateJwk: text, encryption: CLEAR };
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(kid, 'utf8'));
      const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
      const parts = [iv, cipher.getAuthTag(), body].map((part) => part.toString('base64url'));
      return { privateJwk: [VERSION, ...parts].join('.'), encryption: SEALED };
    },
    open(kid, stored) {
      if (stored.encryption === CLEAR) return JSON.parse(stored.privateJwk) as Record<string, unknown>;
      if (stored.encryption !== SEALED) throw new ConfigError(`signing key ${kid} is stored with an unknown encryption ${JSON.stringify(stored.encryption)}`);
      if (key === undefined) {
        throw new ConfigError(`the signing keys in the database are encrypted: set GATEHOUSE_KEYS_SECRET to the secret they were stored with`);
      }
      const [version, iv, tag, body] = stored.privateJwk.split('.');
      if (version !== VERSION || iv === undefined || tag === undefined || body === undefined) throw new ConfigError(`signing key ${kid} is stored in an unknown format`);
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: 16 });
        decipher.setAAD(Buffer.from(kid, 'utf8'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        const text = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
        return JSON.parse(text) as Record<string, unknown>;
      } catch {
        throw new ConfigError(`GATEHOUSE_KEYS_SECRET does not decrypt signing key ${kid}: it is not the secret the signing keys were stored with`);
      }
    },
  };
}
