/**
 * Signing keys, assembled: `openSigner` for a running instance (server.ts),
 * `openSigningKeys` for the CLI, `createSigningKeys` over any store (the
 * memory one in unit tests). Each makes the missing first keys before it
 * returns (race-safe: see StoredKeyManager.ensure).
 */
import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import { systemClock, type Clock } from '../../core/ports.js';
import type { Signer, SigningKeyManager, SigningKeyStore } from '../../core/signing.js';
import { SqlSigningKeyStore } from '../sql/signing-keys.js';
import type { Database } from '../sql/schema.js';
import { JoseSigner } from './jose-signer.js';
import { StoredKeyManager } from './manager.js';
import { keySealer } from './seal.js';

export { JoseSigner } from './jose-signer.js';
export { StoredKeyManager } from './manager.js';
export { MemoryKeyStore } from '../memory/signing-keys.js';
export { SqlSigningKeyStore } from '../sql/signing-keys.js';

export type KeysConfig = Pick<Config, 'keysSecret' | 'keyPropagationSeconds'> & { lifetimes: Pick<Config['lifetimes'], 'idToken'> };

export interface KeysLogger {
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface SigningKeysOptions {
  clock?: Clock;
  /**
   * How long a superseded key stays published, in seconds: the longest lifetime of
   * anything it can have signed. Default the id_token lifetime; JWT access tokens
   * will pass the larger of the two.
   */
  publishWindowSeconds?: number;
  /** How often a running instance re-reads the key table (ms, default 2000). */
  reloadMs?: number;
  /** Warn (once, here) when the keys are stored in clear; `serve` passes true in its first process only. */
  warnIfClear?: boolean;
}

export interface OpenedSigner {
  signer: JoseSigner;
  keys: StoredKeyManager;
  close(): void;
}

function manager(store: SigningKeyStore, config: KeysConfig, options: SigningKeysOptions, onChange?: () => Promise<void>): StoredKeyManager {
  return new StoredKeyManager(store, {
    clock: options.clock ?? systemClock,
    windowMs: (options.publishWindowSeconds ?? config.lifetimes.idToken) * 1000,
    propagationMs: config.keyPropagationSeconds * 1000,
    sealer: keySealer(config.keysSecret),
    ...(onChange === undefined ? {} : { onChange }),
  });
}

/** The management surface alone (the CLI): makes the missing first keys, starts no timer. */
export async function openSigningKeys(db: Kysely<Database>, config: KeysConfig, options: SigningKeysOptions = {}): Promise<SigningKeyManager> {
  const keys = manager(new SqlSigningKeyStore(db), config, options);
  await keys.ensure();
  return keys;
}

/** A Signer and its manager over any store; throws a ConfigError for a missing or wrong GATEHOUSE_KEYS_SECRET. */
export async function createSigningKeys(store: SigningKeyStore, config: KeysConfig, logger?: KeysLogger, options: SigningKeysOptions = {}): Promise<OpenedSigner> {
  const signer = new JoseSigner(store, {
    clock: options.clock ?? systemClock,
    windowMs: (options.publishWindowSeconds ?? config.lifetimes.idToken) * 1000,
    sealer: keySealer(config.keysSecret),
    ...(options.reloadMs === undefined ? {} : { reloadMs: options.reloadMs }),
    ...(logger === undefined ? {} : { logger }),
  });
  // A change made through this manager is seen by this instance's signer at once.
  let started = false;
  const keys = manager(store, config, options, async () => {
    if (started) await signer.reload();
  });
  await keys.ensure();
  await signer.start();
  started = true;
  if (config.keysSecret === undefined && options.warnIfClear === true) {
    logger?.warn({}, 'GATEHOUSE_KEYS_SECRET is not set: the private signing keys are stored in the database in clear');
  }
  return { signer, keys, close: () => signer.close() };
}

/** What server.ts calls: the Signer (`deps.signer`) and the key manager of a running instance, over its database. */
export function openSigner(db: Kysely<Database>, config: KeysConfig, logger?: KeysLogger, options: SigningKeysOptions = {}): Promise<OpenedSigner> {
  return createSigningKeys(new SqlSigningKeyStore(db), config, logger, options);
}

export type { Signer, SigningKeyManager };
