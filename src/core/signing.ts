/**
 * Signing keys (SPEC §7 "Keys"): the port that grants and routes sign with,
 * the management surface the CLI and the admin API call, the
 * persistence port storage implements, and the pure rule that turns a key's
 * timestamps into its state. No key material is handled here: `jose` does
 * that at the edge (src/storage/keys/).
 *
 * States come from timestamps alone, so every instance agrees without
 * talking to the others: a key is `next` until `activatesAt`; among the
 * activated keys of one algorithm the newest (by generation, i.e. creation
 * order) is `current`; an older activated key is `previous` from the moment
 * a newer one activated (its `supersededAt`) and stays published for
 * `windowMs` more — the longest lifetime of anything it can have signed —
 * or until it is retired.
 */

import { SIGNING_ALGS, type SigningAlg } from './model.js';

export type JwsAlg = SigningAlg;
export const JWS_ALGS: readonly JwsAlg[] = SIGNING_ALGS;
export type KeyState = 'next' | 'current' | 'previous';

export function isJwsAlg(value: unknown): value is JwsAlg {
  return typeof value === 'string' && (JWS_ALGS as readonly string[]).includes(value);
}

export interface SigningKeyInfo {
  kid: string;
  alg: JwsAlg;
  state: KeyState;
  createdAt: number;
  activatesAt: number;
}

/** What grants and routes use; never exposes private key material. */
export interface Signer {
  /** A compact JWS of `claims` signed with the current key of `alg`; header carries kid, alg and typ (default 'JWT'). */
  sign(claims: Record<string, unknown>, options: { alg: JwsAlg; typ?: string }): Promise<string>;
  /**
   * Verifies a JWS that one of OUR published keys signed (by kid; alg must match that key).
   * Returns header+payload or undefined. Never checks exp unless asked; when asked
   * (`checkExpiry: true`), a payload without a numeric `exp`, or with `exp` at or before
   * `now` (ms, default the clock), does not verify.
   */
  verify(
    jws: string,
    options?: { checkExpiry?: boolean; now?: number },
  ): Promise<{ header: Record<string, unknown>; payload: Record<string, unknown> } | undefined>;
  /** The public JWKS: every key that may verify a live token (next, current, previous not yet expired): kid, kty, alg, use:'sig' and the public members only. */
  jwks(): Promise<{ keys: Record<string, unknown>[] }>;
}

/**
 * How a rotation stores a new key when someone answers for it (the CLI, the
 * admin API): the key with its `key.rotate` event in one transaction (SPEC §10,
 * core/key-admin.ts). False, and nothing written, when the key's kid or
 * (alg, generation) is taken.
 */
export type KeyInsert = (key: StoredSigningKey) => Promise<boolean>;
/** The same for a retirement (key.retire): false when the key is unknown or retired already. */
export type KeyRetire = (kid: string, now: number) => Promise<boolean>;

/** The key-management surface: `gatehouse keys …` and the admin API. */
export interface SigningKeyManager {
  /** Every published key (next, current, previous), by algorithm then age. */
  list(): Promise<SigningKeyInfo[]>;
  /**
   * Makes a `next` key (published at once) for `alg`, or for every algorithm that has a
   * current key; it becomes current after the propagation delay, or at once with
   * `activateNow`. Returns the new keys.
   */
  rotate(options?: { alg?: JwsAlg; activateNow?: boolean }, insert?: KeyInsert): Promise<SigningKeyInfo[]>;
  /** Removes a `previous` key from the JWKS now; refuses `current` and `next` (SigningKeyError). */
  retire(kid: string, mark?: KeyRetire): Promise<SigningKeyInfo>;
  /** First start: makes a current key for every algorithm that has none (race-safe). Returns the keys it made. */
  ensure(): Promise<SigningKeyInfo[]>;
}

/** A refusal the operator can act on (retiring the current key, an unknown kid); its message is meant to be shown. */
export class SigningKeyError extends Error {}

/** A key as persisted. `privateJwk` is opaque here: clear JSON or sealed, as `encryption` says. */
export interface StoredSigningKey {
  kid: string;
  alg: JwsAlg;
  /** Counts up per algorithm from 0; unique with `alg`, so two instances making "the first key" cannot both succeed. */
  generation: number;
  /** The public JWK (public members only). */
  publicJwk: Record<string, unknown>;
  privateJwk: string;
  /** `none` or the sealing scheme's name (src/storage/keys/seal.ts). */
  encryption: string;
  createdAt: number;
  activatesAt: number;
  retiredAt: number | null;
}

/** Persistence of signing keys; every implementation passes test/storage/signing-key-contract.ts. */
export interface SigningKeyStore {
  /** Every stored key (a handful of rows: one cheap query, run every ~2 s by each instance). */
  listSigningKeys(): Promise<StoredSigningKey[]>;
  /** Inserts the key; false (and nothing written) when its kid or its (alg, generation) is taken. */
  insertSigningKey(key: StoredSigningKey): Promise<boolean>;
  /** Sets retiredAt on a key not yet retired; true for exactly one caller. */
  retireSigningKey(kid: string, now: number): Promise<boolean>;
  /** Replaces the stored private key only while it still is `expected` (re-sealing under a new secret); true when replaced. */
  replacePrivateKey(
    kid: string,
    expected: { privateJwk: string; encryption: string },
    next: { privateJwk: string; encryption: string },
  ): Promise<boolean>;
  /** Deletes the keys named; returns how many. */
  deleteSigningKeys(kids: readonly string[]): Promise<number>;
}

/** What the state rule reads of a key. */
export type KeyTimes = Pick<StoredSigningKey, 'kid' | 'alg' | 'generation' | 'activatesAt' | 'retiredAt'>;

export interface KeyStatus<K extends KeyTimes> {
  key: K;
  state: KeyState;
  /** When a newer key of the same algorithm activated (previous keys only). */
  supersededAt?: number;
  /** When a previous key leaves the JWKS. */
  publishedUntil?: number;
}

export interface KeyTimeline<K extends KeyTimes> {
  /** The published keys (retired and expired ones left out), by algorithm order then generation. */
  published: KeyStatus<K>[];
  /** Keys no longer published (retired, or past their window): gc may delete them. */
  unpublished: K[];
  /** The current key of each algorithm that has one. */
  current: Map<JwsAlg, K>;
  /** The first instant after `now` at which some state changes (Infinity when none will without a new row). */
  changesAt: number;
}

/** The state of every key at `now` (ms); `windowMs` is how long a superseded key stays published. */
export function keyTimeline<K extends KeyTimes>(keys: readonly K[], now: number, windowMs: number): KeyTimeline<K> {
  const published: KeyStatus<K>[] = [];
  const unpublished: K[] = [];
  const current = new Map<JwsAlg, K>();
  let changesAt = Infinity;
  const later = (at: number) => {
    if (at > now && at < changesAt) changesAt = at;
  };
  for (const alg of JWS_ALGS) {
    const ofAlg = keys.filter((key) => key.alg === alg).sort((a, b) => a.generation - b.generation);
    // supersededAt of the key at index i: the earliest activation among the newer keys.
    const superseded: number[] = new Array(ofAlg.length).fill(Infinity);
    for (let i = ofAlg.length - 2; i >= 0; i -= 1) superseded[i] = Math.min(superseded[i + 1]!, ofAlg[i + 1]!.activatesAt);
    ofAlg.forEach((key, i) => {
      if (key.retiredAt !== null) {
        if (key.retiredAt <= now) {
          unpublished.push(key);
          return;
        }
        later(key.retiredAt);
      }
      if (now < key.activatesAt) {
        later(key.activatesAt);
        published.push({ key, state: 'next' });
        return;
      }
      const supersededAt = superseded[i]!;
      if (supersededAt > now) {
        later(supersededAt);
        current.set(alg, key);
        published.push({ key, state: 'current' });
        return;
      }
      const publishedUntil = supersededAt + windowMs;
      if (publishedUntil <= now) {
        unpublished.push(key);
        return;
      }
      later(publishedUntil);
      published.push({ key, state: 'previous', supersededAt, publishedUntil });
    });
  }
  return { published, unpublished, current, changesAt };
}

/** The public members of a JWK by key type (RFC 7518 §6, RFC 8037 §2): nothing else is ever published. */
const PUBLIC_MEMBERS: Record<string, readonly string[]> = { RSA: ['n', 'e'], EC: ['crv', 'x', 'y'], OKP: ['crv', 'x'] };

/** The JWKS entry of a key: kid, kty, alg, use and the public members of its kty only. */
export function publicJwkEntry(kid: string, alg: JwsAlg, jwk: Record<string, unknown>): Record<string, unknown> {
  const kty = jwk['kty'];
  const members = typeof kty === 'string' ? PUBLIC_MEMBERS[kty] : undefined;
  if (members === undefined) throw new Error(`signing key ${kid} has an unknown kty ${JSON.stringify(kty)}`);
  const entry: Record<string, unknown> = { kid, kty, alg, use: 'sig' };
  for (const member of members) if (jwk[member] !== undefined) entry[member] = jwk[member];
  return entry;
}
