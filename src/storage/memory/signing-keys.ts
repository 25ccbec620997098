/** Signing keys in memory: the reference SigningKeyStore, for unit tests (same semantics as SQL). */
import type { SigningKeyStore, StoredSigningKey } from '../../core/signing.js';

export class MemoryKeyStore implements SigningKeyStore {
  private readonly keys = new Map<string, StoredSigningKey>();

  async listSigningKeys(): Promise<StoredSigningKey[]> {
    return [...this.keys.values()].sort((a, b) => (a.alg < b.alg ? -1 : a.alg > b.alg ? 1 : a.generation - b.generation)).map((key) => structuredClone(key));
  }

  async insertSigningKey(key: StoredSigningKey): Promise<boolean> {
    return this.insertNow(key);
  }

  /** The insert, synchronously: the memory unit of work (audit.ts) applies it with its event. */
  insertNow(key: StoredSigningKey): boolean {
    if (this.keys.has(key.kid)) return false;
    for (const other of this.keys.values()) if (other.alg === key.alg && other.generation === key.generation) return false;
    this.keys.set(key.kid, structuredClone(key));
    return true;
  }

  async retireSigningKey(kid: string, now: number): Promise<boolean> {
    return this.retireNow(kid, now);
  }

  /** The retirement, synchronously (the memory unit of work applies it with its event). */
  retireNow(kid: string, now: number): boolean {
    const key = this.keys.get(kid);
    if (key === undefined || key.retiredAt !== null) return false;
    key.retiredAt = now;
    return true;
  }

  async replacePrivateKey(kid: string, expected: { privateJwk: string; encryption: string }, next: { privateJwk: string; encryption: string }): Promise<boolean> {
    const key = this.keys.get(kid);
    if (key === undefined || key.privateJwk !== expected.privateJwk || key.encryption !== expected.encryption) return false;
    key.privateJwk = next.privateJwk;
    key.encryption = next.encryption;
    return true;
  }

  async deleteSigningKeys(kids: readonly string[]): Promise<number> {
    let deleted = 0;
    for (const kid of kids) if (this.keys.delete(kid)) deleted += 1;
    return deleted;
  }
}
