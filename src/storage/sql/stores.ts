/**
 * The stores over Kysely: one set of queries for SQLite and PostgreSQL.
 * The token store has a SQLite-specific twin (sqlite-tokens.ts) for the hot path.
 */
import type { Kysely, Selectable } from 'kysely';
import { nextId } from '../../core/ids.js';
import type { App, AuthorizationCode, Consent, NewToken, Scope, SignInContext, TokenRecord, User } from '../../core/model.js';
import type { AppStore, CodeStore, ConsentStore, ScopeStore, TokenStore, UserStore } from '../../core/ports.js';
import { TurnBatcher } from '../turn-batcher.js';
import { appFromRow, appPatchToRow, appToRow, codeFromRow, resourcesToColumn, signInFromColumn, signInToColumn, tokenFromRow, tokenToRow, type NewTokenRow, type TokenRow } from './rows.js';
import type { ConsentsTable, Database, UsersTable } from './schema.js';

export class SqlAppStore implements AppStore {
  constructor(private readonly db: Kysely<Database>) {}

  async findApp(clientId: string): Promise<App | undefined> {
    const row = await this.db.selectFrom('clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
    return row && appFromRow(row);
  }

  async createApp(app: App): Promise<void> {
    await this.db.insertInto('clients').values(appToRow(app, Date.now())).execute();
  }

  async updateApp(clientId: string, patch: Partial<App>): Promise<boolean> {
    const result = await this.db
      .updateTable('clients')
      .set({ ...appPatchToRow(patch), updated_at: Date.now() })
      .where('client_id', '=', clientId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async listApps(filter: { ownerUid?: string; after?: { createdAt: number; clientId: string }; limit?: number } = {}): Promise<App[]> {
    let query = this.db.selectFrom('clients').selectAll().orderBy('created_at').orderBy('client_id');
    if (filter.ownerUid !== undefined) query = query.where('owner_uid', '=', filter.ownerUid);
    const after = filter.after;
    if (after !== undefined) {
      query = query.where((eb) =>
        eb.or([eb('created_at', '>', after.createdAt), eb.and([eb('created_at', '=', after.createdAt), eb('client_id', '>', after.clientId)])]),
      );
    }
    if (filter.limit !== undefined) query = query.limit(filter.limit);
    return (await query.execute()).map(appFromRow);
  }
}

export function userFromRow(row: Selectable<UsersTable>): User {
  const user: User = {
    uid: row.uid,
    username: row.username,
    passwordHash: row.password_hash,
    createdAt: Number(row.created_at),
    emailVerified: Number(row.email_verified) === 1,
    updatedAt: Number(row.updated_at ?? row.created_at),
  };
  if (row.email !== null) user.email = row.email;
  if (row.name !== null) user.name = row.name;
  if (Number(row.disabled) === 1) user.disabled = true;
  return user;
}

export function userToRow(user: User) {
  return {
    uid: user.uid,
    username: user.username,
    password_hash: user.passwordHash,
    created_at: user.createdAt,
    email: user.email ?? null,
    name: user.name ?? null,
    email_verified: user.emailVerified ? 1 : 0,
    updated_at: user.updatedAt,
    disabled: user.disabled === true ? 1 : 0,
  };
}

export class SqlUserStore implements UserStore {
  constructor(private readonly db: Kysely<Database>) {}

  async findUserByUid(uid: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('uid', '=', uid).executeTakeFirst();
    return row && userFromRow(row);
  }

  async findUserByUsername(username: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    return row && userFromRow(row);
  }

  async createUser(user: User): Promise<boolean> {
    const result = await this.db
      .insertInto('users')
      .values(userToRow(user))
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async countUsers(): Promise<number> {
    const row = await this.db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async listUsers(page: { afterUid?: string; limit: number }): Promise<User[]> {
    let query = this.db.selectFrom('users').selectAll().orderBy('uid').limit(page.limit);
    if (page.afterUid !== undefined) query = query.where('uid', '>', page.afterUid);
    return (await query.execute()).map(userFromRow);
  }
}

export class SqlScopeStore implements ScopeStore {
  constructor(private readonly db: Kysely<Database>) {}

  async listScopes(): Promise<Scope[]> {
    return this.db.selectFrom('scopes').select(['name', 'description']).orderBy('name').execute();
  }

  async saveScope(scope: Scope): Promise<void> {
    await this.db
      .insertInto('scopes')
      .values(scope)
      .onConflict((oc) => oc.column('name').doUpdateSet({ description: scope.description }))
      .execute();
  }
}

export function consentFromRow(row: Selectable<ConsentsTable>): Consent {
  return { uid: row.uid, clientId: row.client_id, scope: row.scope === '' ? [] : row.scope.split(' ') };
}

export class SqlConsentStore implements ConsentStore {
  constructor(private readonly db: Kysely<Database>) {}

  async findConsent(uid: string, clientId: string): Promise<Consent | undefined> {
    const row = await this.db.selectFrom('consents').selectAll().where('uid', '=', uid).where('client_id', '=', clientId).executeTakeFirst();
    return row && consentFromRow(row);
  }

  async saveConsent(consent: Consent, now: number): Promise<void> {
    // Compare-and-set, so two approvals at once (two tabs, two instances) keep the union of
    // their scopes instead of the last writer's: no lock, the same SQL on both dialects.
    for (let attempt = 0; attempt < 20; attempt++) {
      const found = await this.findConsent(consent.uid, consent.clientId);
      const scope = [...new Set([...(found?.scope ?? []), ...consent.scope])].join(' ');
      if (found === undefined) {
        const inserted = await this.db
          .insertInto('consents')
          .values({ uid: consent.uid, client_id: consent.clientId, scope, updated_at: now })
          .onConflict((oc) => oc.columns(['uid', 'client_id']).doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) return;
        continue;
      }
      const updated = await this.db
        .updateTable('consents')
        .set({ scope, updated_at: now })
        .where('uid', '=', consent.uid)
        .where('client_id', '=', consent.clientId)
        .where('scope', '=', found.scope.join(' '))
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 1) return;
    }
    throw new Error('consent kept changing under 20 attempts to save it');
  }

  async listConsents(uid: string): Promise<Consent[]> {
    const rows = await this.db.selectFrom('consents').selectAll().where('uid', '=', uid).orderBy('updated_at', 'desc').execute();
    return rows.map(consentFromRow);
  }

  async deleteConsent(uid: string, clientId: string): Promise<void> {
    await this.db.deleteFrom('consents').where('uid', '=', uid).where('client_id', '=', clientId).execute();
  }
}

export class SqlCodeStore implements CodeStore {
  constructor(private readonly db: Kysely<Database>) {}

  async saveCode(code: Omit<AuthorizationCode, 'id' | 'consumedAt' | 'familyId' | 'replayedAt'>): Promise<number> {
    for (;;) {
      const id = nextId(code.createdAt);
      const result = await this.db
        .insertInto('authorization_codes')
        .values({
          id,
          secret_hash: code.secretHash,
          client_id: code.clientId,
          uid: code.uid,
          redirect_uri: code.redirectUri,
          scope: code.scope.join(' '),
          code_challenge: code.codeChallenge,
          code_challenge_method: code.codeChallengeMethod,
          family_id: id,
          created_at: code.createdAt,
          expires_at: code.expiresAt,
          consumed_at: null,
          replayed_at: null,
          sign_in: signInToColumn(code.signIn),
          resources: resourcesToColumn(code.resources),
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      // Another instance drew the same id in the same millisecond: draw again.
      if (Number(result.numInsertedOrUpdatedRows ?? 0n) > 0) return id;
    }
  }

  async findCode(id: number): Promise<AuthorizationCode | undefined> {
    const row = await this.db.selectFrom('authorization_codes').selectAll().where('id', '=', id).executeTakeFirst();
    return row && codeFromRow(row);
  }

  async consumeCode(id: number, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('authorization_codes')
      .set({ consumed_at: now })
      .where('id', '=', id)
      .where('consumed_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async markCodeReplayed(id: number, now: number): Promise<void> {
    await this.db.updateTable('authorization_codes').set({ replayed_at: now }).where('id', '=', id).where('replayed_at', 'is', null).execute();
  }

  async isCodeReplayed(id: number): Promise<boolean> {
    const row = await this.db.selectFrom('authorization_codes').select('replayed_at').where('id', '=', id).executeTakeFirst();
    return row !== undefined && row.replayed_at !== null;
  }
}

/**
 * Tokens on PostgreSQL: the inserts of one event-loop turn go out as one
 * INSERT, one round trip and one commit for all of them, and the token reads
 * of one turn as one SELECT. Those two statements are PgTokenStore's
 * (pg-tokens.ts, prepared); the rest goes through Kysely.
 */
export abstract class SqlTokenStore implements TokenStore {
  private readonly batcher: TurnBatcher<NewToken, number>;
  private readonly reads: TurnBatcher<number, TokenRecord | undefined>;

  constructor(private readonly db: Kysely<Database>) {
    this.batcher = new TurnBatcher((tokens) => this.insertAll(tokens));
    this.reads = new TurnBatcher((ids) => this.readAll(ids));
  }

  async issueTokens(tokens: NewToken[]): Promise<number[]> {
    return Promise.all(tokens.map((token) => this.batcher.add(token)));
  }

  private async insertAll(tokens: NewToken[]): Promise<number[]> {
    const ids = tokens.map((token) => nextId(token.createdAt));
    let pending = tokens.map((_, index) => index);
    // An id already taken (two instances in one millisecond) is drawn again.
    while (pending.length > 0) {
      const done = new Set(await this.insertRows(pending.map((index) => tokenToRow(ids[index]!, tokens[index]!))));
      pending = pending.filter((index) => !done.has(ids[index]!));
      for (const index of pending) ids[index] = nextId(tokens[index]!.createdAt);
    }
    return ids;
  }

  /** Inserts the rows whose id is free; returns the ids inserted. */
  protected abstract insertRows(rows: NewTokenRow[]): Promise<number[]>;

  /**
   * The reads of one turn go out as one `id = ANY($1)` query: on PostgreSQL each
   * read is a round trip through the pool, and introspection reads a token per
   * request (docs/performance.md: 188k lookups/s grouped against 21.5k one by one).
   * A read added after a revocation has finished sees it, as before: the batch is
   * sent after the turn in which the read was asked.
   */
  findToken(id: number): Promise<TokenRecord | undefined> {
    return this.reads.add(id);
  }

  private async readAll(ids: number[]): Promise<(TokenRecord | undefined)[]> {
    const rows = await this.selectRows([...new Set(ids)]);
    const byId = new Map(rows.map((row) => [Number(row.id), row]));
    return ids.map((id) => {
      const row = byId.get(id);
      return row && tokenFromRow(row);
    });
  }

  /** The rows of these ids (each asked once) that exist. */
  protected abstract selectRows(ids: number[]): Promise<TokenRow[]>;

  async consumeRefreshToken(id: number, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('tokens')
      .set({ consumed_at: now })
      .where('id', '=', id)
      .where('kind', '=', 'refresh')
      .where('consumed_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Waits for the inserts already handed to the batcher (the audited revocations order themselves after them). */
  async flushPending(): Promise<void> {
    await this.batcher.flush();
  }

  // Each revocation first waits for the inserts already handed to the batcher,
  // so a token issued just before is revoked too, never inserted after it.
  async revokeToken(id: number, now: number): Promise<void> {
    await this.batcher.flush();
    await this.db.updateTable('tokens').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).execute();
  }

  async revokeFamily(familyId: number, now: number): Promise<void> {
    await this.batcher.flush();
    await this.db.updateTable('tokens').set({ revoked_at: now }).where('family_id', '=', familyId).where('revoked_at', 'is', null).execute();
  }

  async saveSignIn(familyId: number, signIn: SignInContext, now: number): Promise<void> {
    await this.db
      .insertInto('sign_ins')
      .values({ family_id: familyId, sign_in: JSON.stringify(signIn), created_at: now })
      .onConflict((oc) => oc.column('family_id').doNothing())
      .execute();
  }

  async findSignIn(familyId: number): Promise<SignInContext | undefined> {
    const row = await this.db.selectFrom('sign_ins').select('sign_in').where('family_id', '=', familyId).executeTakeFirst();
    return signInFromColumn(row?.sign_in) ?? undefined;
  }

  async saveRefreshAnswer(tokenId: number, sealed: string, expiresAt: number): Promise<void> {
    await this.db
      .insertInto('refresh_answers')
      .values({ token_id: tokenId, sealed, expires_at: expiresAt })
      .onConflict((oc) => oc.column('token_id').doNothing())
      .execute();
  }

  async findRefreshAnswer(tokenId: number, now: number): Promise<string | undefined> {
    const row = await this.db.selectFrom('refresh_answers').select('sealed').where('token_id', '=', tokenId).where('expires_at', '>', now).executeTakeFirst();
    return row?.sealed;
  }

  async revokeUserTokens(uid: string, clientId: string, now: number): Promise<void> {
    await this.batcher.flush();
    await this.db
      .updateTable('tokens')
      .set({ revoked_at: now })
      .where('uid', '=', uid)
      .where('client_id', '=', clientId)
      .where('revoked_at', 'is', null)
      .execute();
  }
}
