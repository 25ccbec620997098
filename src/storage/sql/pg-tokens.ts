/**
 * The token store on PostgreSQL: SqlTokenStore's two hot statements, the
 * turn's insert and the turn's read, sent through `pg` as named prepared
 * statements of one fixed text each.
 *
 * Through Kysely a turn of N tokens was an `INSERT … VALUES` of N × 11
 * parameters: an AST built and compiled per turn in Node, and a new text that
 * PostgreSQL parsed and planned per turn. Here the rows go as one array per
 * column (`unnest`), so the text never changes: PostgreSQL parses and plans it
 * once per connection, and Node only serializes eleven arrays.
 * (docs/performance.md, issue 17: the rows before and after.)
 */
import type { Pool } from 'pg';
import type { Kysely } from 'kysely';
import type { NewTokenRow, TokenRow } from './rows.js';
import type { Database } from './schema.js';
import { SqlTokenStore } from './stores.js';

/** The inserted columns with their PostgreSQL array types: the statement's text and its values follow this one list. */
const INSERTED = [
  ['id', 'bigint'],
  ['kind', 'text'],
  ['secret_hash', 'text'],
  ['client_id', 'text'],
  ['uid', 'text'],
  ['scope', 'text'],
  ['family_id', 'bigint'],
  ['created_at', 'bigint'],
  ['expires_at', 'bigint'],
  ['jkt', 'text'],
  ['audience', 'text'],
] as const satisfies readonly (readonly [keyof NewTokenRow, string])[];

const INSERT = {
  name: 'gatehouse-tokens-insert',
  text:
    `insert into tokens (${INSERTED.map(([column]) => column).join(', ')}) ` +
    `select * from unnest(${INSERTED.map(([, type], index) => `$${index + 1}::${type}[]`).join(', ')}) ` +
    'on conflict (id) do nothing returning id',
};

const READ = {
  name: 'gatehouse-tokens-read',
  text:
    'select id, kind, secret_hash, client_id, uid, scope, family_id, created_at, expires_at, revoked_at, consumed_at, jkt, audience ' +
    'from tokens where id = any($1::bigint[])',
};

export class PgTokenStore extends SqlTokenStore {
  constructor(
    db: Kysely<Database>,
    private readonly pool: Pool,
  ) {
    super(db);
  }

  protected override async insertRows(rows: NewTokenRow[]): Promise<number[]> {
    const values = INSERTED.map(([column]) => rows.map((row) => row[column] ?? null));
    const result = await this.pool.query<{ id: number }>({ ...INSERT, values });
    return result.rows.map((row) => Number(row.id));
  }

  protected override async selectRows(ids: number[]): Promise<TokenRow[]> {
    return (await this.pool.query<TokenRow>({ ...READ, values: [ids] })).rows;
  }
}
