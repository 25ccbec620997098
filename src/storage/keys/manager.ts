/**
 * The key-management surface (SigningKeyManager) over any SigningKeyStore:
 * list, rotate, retire, and ensure-on-first-start. Every decision is a row
 * the database arbitrates: two instances making the first key of an
 * algorithm at once collide on (alg, generation) and the loser re-reads.
 */
import type { Clock } from '../../core/ports.js';
import {
  JWS_ALGS,
  keyTimeline,
  SigningKeyError,
  type JwsAlg,
  type KeyInsert,
  type KeyRetire,
  type KeyStatus,
  type SigningKeyInfo,
  type SigningKeyManager,
  type SigningKeyStore,
  type StoredSigningKey,
} from '../../core/signing.js';
import { generateSigningKey } from './generate.js';
import { CLEAR, type KeySealer } from './seal.js';
import { ConfigError } from '../../config.js';

export interface KeyManagerOptions {
  clock: Clock;
  /** How long a superseded key stays published (ms): the longest lifetime of anything it signed. */
  windowMs: number;
  /** How long a rotated-in key is published before it becomes current (ms). */
  propagationMs: number;
  sealer: KeySealer;
  /** Called after this manager changed the keys (the local signer reloads at once). */
  onChange?: () => Promise<void>;
}

/** How often an insert may lose a race before we give up (each loss means another instance made progress). */
const ATTEMPTS = 5;

export function keyInfo(status: KeyStatus<StoredSigningKey>): SigningKeyInfo {
  const { kid, alg, createdAt, activatesAt } = status.key;
  return { kid, alg, state: status.state, createdAt, activatesAt };
}

const nextGeneration = (keys: readonly StoredSigningKey[], alg: JwsAlg) => keys.filter((key) => key.alg === alg).reduce((max, key) => Math.max(max, key.generation + 1), 0);

export class StoredKeyManager implements SigningKeyManager {
  constructor(
    private readonly store: SigningKeyStore,
    private readonly options: KeyManagerOptions,
  ) {}

  async list(): Promise<SigningKeyInfo[]> {
    const keys = await this.store.listSigningKeys();
    return keyTimeline(keys, this.options.clock.now(), this.options.windowMs).published.map(keyInfo);
  }

  async rotate(request: { alg?: JwsAlg; activateNow?: boolean } = {}, insert: KeyInsert = (key) => this.store.insertSigningKey(key)): Promise<SigningKeyInfo[]> {
    if (request.alg !== undefined && !JWS_ALGS.includes(request.alg)) throw new SigningKeyError(`unknown algorithm ${JSON.stringify(request.alg)}: use one of ${JWS_ALGS.join(', ')}`);
    let keys = await this.store.listSigningKeys();
    this.checkStoredEncryption(keys);
    const now = this.options.clock.now();
    const algs = request.alg !== undefined ? [request.alg] : [...keyTimeline(keys, now, this.options.windowMs).current.keys()];
    const activatesAt = request.activateNow === true ? now : now + this.options.propagationMs;
    const made: SigningKeyInfo[] = [];
    for (const alg of algs) {
      const key = await generateSigningKey(alg, { generation: nextGeneration(keys, alg), createdAt: now, activatesAt }, this.options.sealer);
      for (let attempt = 1; ; attempt += 1) {
        if (await insert(key)) break;
        // Another rotation of this algorithm took the generation: go after it.
        if (attempt === ATTEMPTS) throw new Error(`could not store a new ${alg} key: ${ATTEMPTS} concurrent rotations won the race`);
        keys = await this.store.listSigningKeys();
        key.generation = nextGeneration(keys, alg);
      }
      made.push({ kid: key.kid, alg, state: activatesAt <= now ? 'current' : 'next', createdAt: now, activatesAt });
    }
    await this.purge();
    await this.options.onChange?.();
    return made;
  }

  async retire(kid: string, mark: KeyRetire = (id, now) => this.store.retireSigningKey(id, now)): Promise<SigningKeyInfo> {
    const keys = await this.store.listSigningKeys();
    const now = this.options.clock.now();
    const timeline = keyTimeline(keys, now, this.options.windowMs);
    const status = timeline.published.find((s) => s.key.kid === kid);
    if (status === undefined) {
      if (timeline.unpublished.some((key) => key.kid === kid)) throw new SigningKeyError(`signing key ${kid} is already retired or expired: it is no longer published`);
      throw new SigningKeyError(`no signing key with kid ${kid}`);
    }
    if (status.state !== 'previous') {
      const why = status.state === 'current' ? 'it signs now: rotate first (`gatehouse keys rotate --alg ' + status.key.alg + '`) and retire it once it is previous' : 'it is about to sign';
      throw new SigningKeyError(`signing key ${kid} is the ${status.state} ${status.key.alg} key and cannot be retired: ${why}`);
    }
    await mark(kid, now);
    await this.options.onChange?.();
    return keyInfo(status);
  }

  async ensure(): Promise<SigningKeyInfo[]> {
    let keys = await this.store.listSigningKeys();
    this.checkStoredEncryption(keys);
    await this.reseal(keys);
    const made: SigningKeyInfo[] = [];
    for (let attempt = 1; ; attempt += 1) {
      const now = this.options.clock.now();
      const current = keyTimeline(keys, now, this.options.windowMs).current;
      const missing = JWS_ALGS.filter((alg) => !current.has(alg));
      if (missing.length === 0) break;
      if (attempt > ATTEMPTS) throw new Error(`could not store the first ${missing.join(', ')} keys: ${ATTEMPTS} concurrent attempts won the race`);
      // Generated side by side (RSA key generation runs on libuv's threads): a first start waits for the slowest only.
      const generated = await Promise.all(missing.map((alg) => generateSigningKey(alg, { generation: nextGeneration(keys, alg), createdAt: now, activatesAt: now }, this.options.sealer)));
      let lost = false;
      for (const key of generated) {
        if (await this.store.insertSigningKey(key)) made.push({ kid: key.kid, alg: key.alg, state: 'current', createdAt: now, activatesAt: now });
        // Another instance made it first (SPEC §7: exactly one current key per algorithm): use theirs.
        else lost = true;
      }
      keys = lost ? await this.store.listSigningKeys() : [...keys, ...generated];
    }
    await this.purge(keys);
    if (made.length > 0) await this.options.onChange?.();
    return made;
  }

  /** Deletes the rows of keys that are no longer published (retired, or past their window). */
  async purge(keys?: readonly StoredSigningKey[]): Promise<number> {
    const all = keys ?? (await this.store.listSigningKeys());
    const gone = keyTimeline(all, this.options.clock.now(), this.options.windowMs).unpublished.map((key) => key.kid);
    return this.store.deleteSigningKeys(gone);
  }

  /**
   * A wrong or missing secret is refused here, before anything is written under it:
   * every sealed key must open (a few AES-GCM decryptions), and a database whose keys
   * are sealed is not given clear keys beside them.
   */
  private checkStoredEncryption(keys: readonly StoredSigningKey[]): void {
    for (const key of keys) if (key.encryption !== CLEAR) this.options.sealer.open(key.kid, key);
    if (!this.options.sealer.encrypts && keys.some((key) => key.encryption !== CLEAR)) {
      throw new ConfigError('the signing keys in the database are encrypted: set GATEHOUSE_KEYS_SECRET to the secret they were stored with');
    }
  }

  /** Keys stored in clear before GATEHOUSE_KEYS_SECRET was set are sealed under it (one conditional UPDATE each). */
  private async reseal(keys: StoredSigningKey[]): Promise<void> {
    if (!this.options.sealer.encrypts) return;
    for (const key of keys) {
      if (key.encryption !== CLEAR) continue;
      const sealed = this.options.sealer.seal(key.kid, this.options.sealer.open(key.kid, key));
      if (await this.store.replacePrivateKey(key.kid, key, sealed)) Object.assign(key, sealed);
    }
  }
}
