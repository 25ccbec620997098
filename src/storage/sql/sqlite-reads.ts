/**
 * The user and consent reads of the hot paths on SQLite, through prepared
 * statements on the better-sqlite3 handle. Even with Kysely's statements kept
 * (statement-cache.ts), a Kysely read compiles its query, takes the driver's
 * mutex and chains promises on every call: getLoggedInUser cost 200–213 CPU µs
 * through Kysely against 97–121 µs through these (docs/performance.md). Same
 * rows and same answers as SqlUserStore and SqlConsentStore, which keep every
 * other query (and all of PostgreSQL).
 * The statements run on the connection the turn writer uses, so a read sees
 * the turn's own uncommitted writes exactly as the Kysely query did.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely, Selectable } from 'kysely';
import type { Consent, User } from '../../core/model.js';
import type { ConsentsTable, Database, UsersTable } from './schema.js';
import { consentFromRow, SqlConsentStore, SqlUserStore, userFromRow } from './stores.js';

export class SqliteUserStore extends SqlUserStore {
  private readonly byUid: BetterSqlite3.Statement<[string], Selectable<UsersTable>>;
  private readonly byUsername: BetterSqlite3.Statement<[string], Selectable<UsersTable>>;

  constructor(db: Kysely<Database>, raw: BetterSqlite3.Database) {
    super(db);
    this.byUid = raw.prepare('SELECT * FROM users WHERE uid = ?');
    this.byUsername = raw.prepare('SELECT * FROM users WHERE username = ?');
  }

  override async findUserByUid(uid: string): Promise<User | undefined> {
    const row = this.byUid.get(uid);
    return row && userFromRow(row);
  }

  override async findUserByUsername(username: string): Promise<User | undefined> {
    const row = this.byUsername.get(username);
    return row && userFromRow(row);
  }
}

export class SqliteConsentStore extends SqlConsentStore {
  private readonly one: BetterSqlite3.Statement<[string, string], Selectable<ConsentsTable>>;

  constructor(db: Kysely<Database>, raw: BetterSqlite3.Database) {
    super(db);
    this.one = raw.prepare('SELECT * FROM consents WHERE uid = ? AND client_id = ?');
  }

  /** Read on every authorize request of a signed-in user (and inside saveConsent's compare-and-set). */
  override async findConsent(uid: string, clientId: string): Promise<Consent | undefined> {
    const row = this.one.get(uid, clientId);
    return row && consentFromRow(row);
  }
}
