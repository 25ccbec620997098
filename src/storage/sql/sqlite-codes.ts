/**
 * Authorization codes on SQLite through prepared statements on the
 * better-sqlite3 handle, like sqlite-tokens.ts: a code exchange reads and
 * consumes a code on every request, and Kysely's async driver (a query
 * compiled, a mutex taken and a promise chained per statement) was the largest
 * part of that request after the HTTP write (docs/performance.md). Same rows,
 * same statements as SqlCodeStore, which PostgreSQL keeps using.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { nextId } from '../../core/ids.js';
import type { AuthorizationCode } from '../../core/model.js';
import type { CodeStore } from '../../core/ports.js';
import { codeFromRow, resourcesToColumn, signInToColumn } from './rows.js';
import type { AuthorizationCodesTable } from './schema.js';
import type { SqliteTurnWriter } from './sqlite-turn-writer.js';

export class SqliteCodeStore implements CodeStore {
  private readonly insert: BetterSqlite3.Statement;
  private readonly select: BetterSqlite3.Statement<[number], AuthorizationCodesTable>;
  private readonly consume: BetterSqlite3.Statement;
  private readonly replayed: BetterSqlite3.Statement;
  /** One column, plucked: a whole row costs ~3.4 µs to read into an object here, this ~1 µs (docs/performance.md, round 7). */
  private readonly replayedAt: BetterSqlite3.Statement<[number], number | null>;

  constructor(
    raw: BetterSqlite3.Database,
    private readonly writer: SqliteTurnWriter,
  ) {
    this.insert = raw.prepare(
      `INSERT INTO authorization_codes (id, secret_hash, client_id, uid, redirect_uri, scope, code_challenge, code_challenge_method, family_id, created_at, expires_at, consumed_at, replayed_at, sign_in, resources)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?) ON CONFLICT (id) DO NOTHING`,
    );
    this.select = raw.prepare('SELECT * FROM authorization_codes WHERE id = ?');
    this.consume = raw.prepare('UPDATE authorization_codes SET consumed_at = ? WHERE id = ? AND consumed_at IS NULL');
    this.replayed = raw.prepare('UPDATE authorization_codes SET replayed_at = ? WHERE id = ? AND replayed_at IS NULL');
    this.replayedAt = raw.prepare<[number], number | null>('SELECT replayed_at FROM authorization_codes WHERE id = ?').pluck();
  }

  /** In the turn's transaction; the authorize redirect carrying the code waits for its commit. */
  saveCode(code: Omit<AuthorizationCode, 'id' | 'consumedAt' | 'familyId' | 'replayedAt'>): Promise<number> {
    return this.writer.write(() => {
      for (;;) {
        const id = nextId(code.createdAt);
        const { changes } = this.insert.run(
          id,
          code.secretHash,
          code.clientId,
          code.uid,
          code.redirectUri,
          code.scope.join(' '),
          code.codeChallenge,
          code.codeChallengeMethod,
          id,
          code.createdAt,
          code.expiresAt,
          signInToColumn(code.signIn),
          resourcesToColumn(code.resources),
        );
        // Another process (cluster worker, CLI) drew the same id in the same millisecond: draw again.
        if (changes === 1) return id;
      }
    });
  }

  async findCode(id: number): Promise<AuthorizationCode | undefined> {
    const row = this.select.get(id);
    return row && codeFromRow(row);
  }

  /** Single use, decided inside the turn's transaction (sqlite-turn-writer.ts: the tokens commit with it). */
  async consumeCode(id: number, now: number): Promise<boolean> {
    return this.writer.decide(() => this.consume.run(now, id).changes === 1);
  }

  async markCodeReplayed(id: number, now: number): Promise<void> {
    await this.writer.write(() => this.replayed.run(now, id));
  }

  async isCodeReplayed(id: number): Promise<boolean> {
    // undefined: no such code; null: not replayed.
    return (this.replayedAt.get(id) ?? null) !== null;
  }
}
