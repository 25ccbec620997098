/**
 * The token store on SQLite, the hot path of every grant: prepared
 * statements on the better-sqlite3 handle, and the inserts of one event-loop
 * turn committed in one transaction before any of their requests is answered
 * (WAL + synchronous=NORMAL: a committed row survives kill -9 of the server).
 */
import type BetterSqlite3 from 'better-sqlite3';
import { nextId } from '../../core/ids.js';
import type { NewToken, TokenRecord } from '../../core/model.js';
import type { TokenStore } from '../../core/ports.js';
import type { SqliteTurnWriter } from './sqlite-turn-writer.js';
import { tokenFromRow, type TokenRow } from './rows.js';

export class SqliteTokenStore implements TokenStore {
  private readonly insert: BetterSqlite3.Statement;
  private readonly select: BetterSqlite3.Statement<[number], TokenRow>;
  private readonly consume: BetterSqlite3.Statement;
  private readonly revoke: BetterSqlite3.Statement;
  private readonly revokeByFamily: BetterSqlite3.Statement;
  private readonly revokeByUser: BetterSqlite3.Statement;
  private readonly insertAll: (tokens: NewToken[]) => number[];
  constructor(
    raw: BetterSqlite3.Database,
    private readonly writer: SqliteTurnWriter,
  ) {
    this.insert = raw.prepare(
      `INSERT INTO tokens (id, kind, secret_hash, client_id, uid, scope, family_id, created_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    );
    this.select = raw.prepare('SELECT * FROM tokens WHERE id = ?');
    this.consume = raw.prepare(
      `UPDATE tokens SET consumed_at = ? WHERE id = ? AND kind = 'refresh' AND consumed_at IS NULL AND revoked_at IS NULL`,
    );
    this.revoke = raw.prepare('UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');
    this.revokeByFamily = raw.prepare('UPDATE tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL');
    this.revokeByUser = raw.prepare('UPDATE tokens SET revoked_at = ? WHERE uid = ? AND client_id = ? AND revoked_at IS NULL');
    this.insertAll = raw.transaction((tokens: NewToken[]) => tokens.map((token) => this.insertOne(token)));
  }

  issueTokens(tokens: NewToken[]): Promise<number[]> {
    // One row is one atomic statement; a pair (access + refresh) goes in a
    // SAVEPOINT so that a failure halfway leaves neither (sqlite-turn-writer.ts).
    if (tokens.length === 1) return this.writer.write(() => [this.insertOne(tokens[0]!)]);
    return this.writer.write(() => this.insertAll(tokens));
  }

  private insertOne(token: NewToken): number {
    // Another process (cluster worker, CLI) may have drawn the same id: draw again.
    for (;;) {
      const id = nextId(token.createdAt);
      const { changes } = this.insert.run(
        id,
        token.kind,
        token.secretHash,
        token.clientId,
        token.uid,
        token.scope.join(' '),
        token.familyId,
        token.createdAt,
        token.expiresAt,
      );
      if (changes === 1) return id;
    }
  }

  async findToken(id: number): Promise<TokenRecord | undefined> {
    const row = this.select.get(id);
    return row && tokenFromRow(row);
  }

  consumeRefreshToken(id: number, now: number): Promise<boolean> {
    return this.writer.write(() => this.consume.run(now, id).changes === 1);
  }

  async revokeToken(id: number, now: number): Promise<void> {
    this.writer.flush(); // a token issued this turn is revoked too, never resurrected by a later insert
    this.revoke.run(now, id);
  }

  async revokeFamily(familyId: number, now: number): Promise<void> {
    this.writer.flush();
    this.revokeByFamily.run(now, familyId);
  }

  async revokeUserTokens(uid: string, clientId: string, now: number): Promise<void> {
    this.writer.flush();
    this.revokeByUser.run(now, uid, clientId);
  }
}
