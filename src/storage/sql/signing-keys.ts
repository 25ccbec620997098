/** Signing keys in SQL (SQLite and PostgreSQL share every statement). */
import type { Kysely, Selectable } from 'kysely';
import { isJwsAlg, type SigningKeyStore, type StoredSigningKey } from '../../core/signing.js';
import type { Database, SigningKeysTable } from './schema.js';

function fromRow(row: Selectable<SigningKeysTable>): StoredSigningKey {
  if (!isJwsAlg(row.alg)) throw new Error(`signing key ${row.kid} has an unknown alg ${JSON.stringify(row.alg)}`);
  return {
    kid: row.kid,
    alg: row.alg,
    generation: Number(row.generation),
    publicJwk: JSON.parse(row.public_jwk) as Record<string, unknown>,
    privateJwk: row.private_jwk,
    encryption: row.encryption,
    createdAt: Number(row.created_at),
    activatesAt: Number(row.activates_at),
    retiredAt: row.retired_at === null ? null : Number(row.retired_at),
  };
}

export function signingKeyToRow(key: StoredSigningKey) {
  return {
    kid: key.kid,
    alg: key.alg,
    generation: key.generation,
    public_jwk: JSON.stringify(key.publicJwk),
    private_jwk: key.privateJwk,
    encryption: key.encryption,
    created_at: key.createdAt,
    activates_at: key.activatesAt,
    retired_at: key.retiredAt,
  };
}

export class SqlSigningKeyStore implements SigningKeyStore {
  constructor(private readonly db: Kysely<Database>) {}

  async listSigningKeys(): Promise<StoredSigningKey[]> {
    const rows = await this.db.selectFrom('signing_keys').selectAll().orderBy('alg').orderBy('generation').execute();
    return rows.map(fromRow);
  }

  async insertSigningKey(key: StoredSigningKey): Promise<boolean> {
    // No conflict target: a taken kid or a taken (alg, generation) both make it do nothing,
    // which is how a second instance racing to make the first key loses (SPEC §7).
    const result = await this.db
      .insertInto('signing_keys')
      .values(signingKeyToRow(key))
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async retireSigningKey(kid: string, now: number): Promise<boolean> {
    const result = await this.db.updateTable('signing_keys').set({ retired_at: now }).where('kid', '=', kid).where('retired_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async replacePrivateKey(kid: string, expected: { privateJwk: string; encryption: string }, next: { privateJwk: string; encryption: string }): Promise<boolean> {
    const result = await this.db
      .updateTable('signing_keys')
      .set({ private_jwk: next.privateJwk, encryption: next.encryption })
      .where('kid', '=', kid)
      .where('private_jwk', '=', expected.privateJwk)
      .where('encryption', '=', expected.encryption)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async deleteSigningKeys(kids: readonly string[]): Promise<number> {
    if (kids.length === 0) return 0;
    const result = await this.db.deleteFrom('signing_keys').where('kid', 'in', [...kids]).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
