/**
 * The token store on SQLite, the hot path of every grant: prepared
 * statements on the better-sqlite3 handle, and the inserts of one event-loop
 * turn committed in one transaction before any of their requests is answered
 * (WAL + synchronous=NORMAL: a committed row survives kill -9 of the server).
 */
import type BetterSqlite3 from 'better-sqlite3';
import { nextId } from '../../core/ids.js';
import type { NewToken, SignInContext, TokenRecord } from '../../core/model.js';
import type { TokenStore } from '../../core/ports.js';
import type { SqliteTurnWriter } from './sqlite-turn-writer.js';
import { resourcesToColumn, signInFromColumn, tokenFromRow, type TokenRow } from './rows.js';

export class SqliteTokenStore implements TokenStore {
  /** INSERTs of 1 and 2 rows: one statement, so a pair is atomic without a SAVEPOINT (keyed by row count and which optional columns it binds). */
  private readonly inserts = new Map<number, BetterSqlite3.Statement>();
  private readonly select: BetterSqlite3.Statement<[number], TokenRow>;
  private readonly consume: BetterSqlite3.Statement;
  private readonly revoke: BetterSqlite3.Statement;
  private readonly revokeByFamily: BetterSqlite3.Statement;
  private readonly revokeByUser: BetterSqlite3.Statement;
  private readonly insertSignIn: BetterSqlite3.Statement;
  private readonly selectSignIn: BetterSqlite3.Statement<[number], { sign_in: string }>;
  private readonly insertAnswer: BetterSqlite3.Statement;
  private readonly selectAnswer: BetterSqlite3.Statement<[number, number], { sealed: string }>;
  constructor(
    private readonly raw: BetterSqlite3.Database,
    private readonly writer: SqliteTurnWriter,
    /** The id source (a test replaces it to force a collision). */
    private readonly drawId: (now: number) => number = nextId,
  ) {
    this.select = raw.prepare('SELECT * FROM tokens WHERE id = ?');
    this.consume = raw.prepare(
      `UPDATE tokens SET consumed_at = ? WHERE id = ? AND kind = 'refresh' AND consumed_at IS NULL AND revoked_at IS NULL`,
    );
    this.revoke = raw.prepare('UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');
    this.revokeByFamily = raw.prepare('UPDATE tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL');
    this.revokeByUser = raw.prepare('UPDATE tokens SET revoked_at = ? WHERE uid = ? AND client_id = ? AND revoked_at IS NULL');
    this.insertSignIn = raw.prepare('INSERT INTO sign_ins (family_id, sign_in, created_at) VALUES (?, ?, ?) ON CONFLICT (family_id) DO NOTHING');
    this.selectSignIn = raw.prepare('SELECT sign_in FROM sign_ins WHERE family_id = ?');
    this.insertAnswer = raw.prepare('INSERT INTO refresh_answers (token_id, sealed, expires_at) VALUES (?, ?, ?) ON CONFLICT (token_id) DO NOTHING');
    this.selectAnswer = raw.prepare('SELECT sealed FROM refresh_answers WHERE token_id = ? AND expires_at > ?');
  }

  issueTokens(tokens: NewToken[]): Promise<number[]> {
    return this.writer.write(() => this.insertRows(tokens));
  }

  /**
   * One multi-row INSERT: all rows or none. Ids grow within this process; a
   * collision means another process (cluster worker, CLI) drew the same id in
   * the same millisecond: the statement is undone and ids are drawn again.
   */
  private insertRows(tokens: NewToken[]): number[] {
    // A DPoP-bound row (RFC 9449) or one naming resources (RFC 8707) takes a
    // statement of its own, so that the Bearer rows of the hot path bind
    // exactly the values they always did.
    const bound = tokens.some((token) => token.jkt !== null);
    const targeted = tokens.some((token) => token.audience !== undefined && token.audience.length > 0);
    const shape = tokens.length * 4 + (bound ? 1 : 0) + (targeted ? 2 : 0);
    let statement = this.inserts.get(shape);
    if (statement === undefined) {
      const columns = ['id', 'kind', 'secret_hash', 'client_id', 'uid', 'scope', 'family_id', 'created_at', 'expires_at', ...(bound ? ['jkt'] : []), ...(targeted ? ['audience'] : [])];
      const row = `(${columns.map(() => '?').join(', ')})`;
      statement = this.raw.prepare(`INSERT INTO tokens (${columns.join(', ')}) VALUES ${tokens.map(() => row).join(', ')}`);
      this.inserts.set(shape, statement);
    }
    for (;;) {
      const ids = tokens.map((token) => this.drawId(token.createdAt));
      const values = tokens.flatMap((token, i) => {
        const columns: unknown[] = [ids[i], token.kind, token.secretHash, token.clientId, token.uid, token.scope.join(' '), token.familyId, token.createdAt, token.expiresAt];
        if (bound) columns.push(token.jkt);
        // RFC 8707: null (the client_id) unless the request named resources.
        if (targeted) columns.push(resourcesToColumn(token.audience));
        return columns;
      });
      try {
        statement.run(values);
        return ids;
      } catch (error) {
        if ((error as { code?: string }).code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') throw error;
      }
    }
  }

  async findToken(id: number): Promise<TokenRecord | undefined> {
    const row = this.select.get(id);
    return row && tokenFromRow(row);
  }

  /** Single use, decided inside the turn's transaction (sqlite-turn-writer.ts: the new pair commits with it). */
  async consumeRefreshToken(id: number, now: number): Promise<boolean> {
    return this.writer.decide(() => this.consume.run(now, id).changes === 1);
  }

  // Revocations join the turn's transaction after every write before them, and
  // are answered once committed: a token issued this turn is revoked too.
  async revokeToken(id: number, now: number): Promise<void> {
    await this.writer.write(() => this.revoke.run(now, id));
  }

  async revokeFamily(familyId: number, now: number): Promise<void> {
    await this.writer.write(() => this.revokeByFamily.run(now, familyId));
  }

  /** Joins the turn's transaction: written with the tokens of the same exchange, in one commit. */
  async saveSignIn(familyId: number, signIn: SignInContext, now: number): Promise<void> {
    await this.writer.write(() => this.insertSignIn.run(familyId, JSON.stringify(signIn), now));
  }

  async findSignIn(familyId: number): Promise<SignInContext | undefined> {
    return signInFromColumn(this.selectSignIn.get(familyId)?.sign_in) ?? undefined;
  }

  /** Joins the turn's transaction; answered once committed (the grace window's answer is durable before it is served). */
  async saveRefreshAnswer(tokenId: number, sealed: string, expiresAt: number): Promise<void> {
    await this.writer.write(() => this.insertAnswer.run(tokenId, sealed, expiresAt));
  }

  async findRefreshAnswer(tokenId: number, now: number): Promise<string | undefined> {
    return this.selectAnswer.get(tokenId, now)?.sealed;
  }

  async revokeUserTokens(uid: string, clientId: string, now: number): Promise<void> {
    await this.writer.write(() => this.revokeByUser.run(now, uid, clientId));
  }
}
