/**
 * A fetched JWK Set, kept to what private_key_jwt may verify with: the
 * public keys among it (core/client-auth-settings.ts's rule, the same as for
 * a registered jwks), at most MAX_KEYS of them.
 */
import { isPublicJwk, MAX_KEYS } from '../../core/client-auth-settings.js';
import type { ClientJwks } from '../../core/model.js';

export function publicKeysOnly(value: unknown): ClientJwks {
  const keys = (value as { keys?: unknown } | null)?.keys;
  if (typeof value !== 'object' || value === null || !Array.isArray(keys)) throw new Error('jwks_uri did not answer a JWK Set ({"keys":[…]})');
  const usable = keys
    .filter((key): key is Record<string, unknown> => typeof key === 'object' && key !== null && !Array.isArray(key))
    .filter(isPublicJwk)
    .slice(0, MAX_KEYS);
  if (usable.length === 0) throw new Error('jwks_uri answered a JWK Set with no usable public key');
  return { keys: usable };
}
