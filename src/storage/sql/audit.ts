/**
 * The unit of work over SQL (core/audit.ts): a change becomes a short list of
 * statements, built once with Kysely for both dialects, and its audit event is
 * the last of them. The first statement is the guard: when it touches no row
 * (no such app or user; the scope exists) nothing is written.
 *
 * - PostgreSQL runs them in a transaction.
 * - SQLite runs them synchronously as one SAVEPOINT inside the turn's
 *   transaction of the shared handle (sqlite-turn-writer.ts), because an
 *   asynchronous BEGIN on that handle would collide with the turn's own; the
 *   commit that carries them is awaited before the change is answered.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { CompiledQuery, Kysely, Selectable } from 'kysely';
import type { AuditEvent, AuditPage, AuditStore, Change, ChangeOutcome, NewAuditEvent } from '../../core/audit.js';
import type { AuditEventsTable, Database } from './schema.js';
import { appPatchToRow, appToRow } from './rows.js';
import { userToRow } from './stores.js';
import { signingKeyToRow } from './signing-keys.js';
import type { SqliteTurnWriter } from './sqlite-turn-writer.js';

interface Step {
  query: CompiledQuery;
  /** When this statement touches no row, the change is refused with this reason. */
  guard?: 'not_found' | 'conflict';
}

function plan(db: Kysely<Database>, change: Change, event: NewAuditEvent): Step[] {
  const now = event.at;
  const steps: Step[] = [];
  switch (change.kind) {
    case 'createApp':
      steps.push({ query: db.insertInto('clients').values(appToRow(change.app, now)).onConflict((oc) => oc.doNothing()).compile(), guard: 'conflict' });
      break;
    case 'updateApp':
      steps.push({
        query: db.updateTable('clients').set({ ...appPatchToRow(change.patch), updated_at: now }).where('client_id', '=', change.clientId).compile(),
        guard: 'not_found',
      });
      break;
    case 'deleteApp':
      steps.push({ query: db.deleteFrom('clients').where('client_id', '=', change.clientId).compile(), guard: 'not_found' });
      steps.push({ query: db.updateTable('tokens').set({ revoked_at: now }).where('client_id', '=', change.clientId).where('revoked_at', 'is', null).compile() });
      steps.push({ query: db.deleteFrom('consents').where('client_id', '=', change.clientId).compile() });
      break;
    case 'createUser':
      steps.push({ query: db.insertInto('users').values(userToRow(change.user)).onConflict((oc) => oc.doNothing()).compile(), guard: 'conflict' });
      break;
    case 'updateUser': {
      const { patch } = change;
      const set: Record<string, unknown> = {};
      if (patch.username !== undefined) set['username'] = patch.username;
      if (patch.passwordHash !== undefined) set['password_hash'] = patch.passwordHash;
      if (patch.email !== undefined) set['email'] = patch.email;
      if (patch.name !== undefined) set['name'] = patch.name;
      if (patch.emailVerified !== undefined) set['email_verified'] = patch.emailVerified ? 1 : 0;
      if (patch.updatedAt !== undefined) set['updated_at'] = patch.updatedAt;
      if (patch.disabled !== undefined) set['disabled'] = patch.disabled ? 1 : 0;
      // An empty patch still checks that the user exists (uid = uid).
      if (Object.keys(set).length === 0) set['uid'] = change.uid;
      steps.push({ query: db.updateTable('users').set(set).where('uid', '=', change.uid).compile(), guard: 'not_found' });
      if (change.revokeTokens) {
        steps.push({ query: db.updateTable('tokens').set({ revoked_at: now }).where('uid', '=', change.uid).where('revoked_at', 'is', null).compile() });
      }
      break;
    }
    case 'createScope':
      steps.push({ query: db.insertInto('scopes').values(change.scope).onConflict((oc) => oc.column('name').doNothing()).compile(), guard: 'conflict' });
      break;
    case 'saveScope':
      steps.push({
        query: db
          .insertInto('scopes')
          .values(change.scope)
          .onConflict((oc) => oc.column('name').doUpdateSet({ description: change.scope.description }))
          .compile(),
      });
      break;
    case 'revokeTokens': {
      let query = db.updateTable('tokens').set({ revoked_at: now }).where('revoked_at', 'is', null);
      if (change.uid !== undefined) query = query.where('uid', '=', change.uid);
      if (change.clientId !== undefined) query = query.where('client_id', '=', change.clientId);
      steps.push({ query: query.compile() });
      break;
    }
    case 'insertSigningKey':
      // No conflict target: a taken kid or (alg, generation) refuses it, as SqlSigningKeyStore.insertSigningKey.
      steps.push({ query: db.insertInto('signing_keys').values(signingKeyToRow(change.key)).onConflict((oc) => oc.doNothing()).compile(), guard: 'conflict' });
      break;
    case 'retireSigningKey':
      steps.push({ query: db.updateTable('signing_keys').set({ retired_at: now }).where('kid', '=', change.kid).where('retired_at', 'is', null).compile(), guard: 'not_found' });
      break;
  }
  steps.push({
    query: db
      .insertInto('audit_events')
      .values({
        at: event.at,
        actor_type: event.actor.type,
        actor_id: event.actor.id,
        action: event.action,
        target_type: event.target.type,
        target_id: event.target.id,
        address: event.address,
        request_id: event.requestId,
      })
      .compile(),
  });
  return steps;
}

/** A unique constraint (a username taken by a rename) refuses the change as a conflict. */
function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

class Refused extends Error {
  constructor(readonly reason: 'not_found' | 'conflict') {
    super(reason);
  }
}

function eventFromRow(row: Selectable<AuditEventsTable>): AuditEvent {
  return {
    id: Number(row.id),
    at: Number(row.at),
    actor: { type: row.actor_type as AuditEvent['actor']['type'], id: row.actor_id },
    action: row.action as AuditEvent['action'],
    target: { type: row.target_type as AuditEvent['target']['type'], id: row.target_id },
    address: row.address,
    requestId: row.request_id,
  };
}

export interface SqlAuditOptions {
  /** SQLite: run the statements on the shared handle inside its turn transaction. */
  sqlite?: { raw: BetterSqlite3.Database; writer: () => SqliteTurnWriter };
  /** Called after a commit (the app cache forgets the changed app). */
  committed?: (change: Change) => void;
  /** Called before a revocation: token inserts still batched must land first, so they are revoked too. */
  beforeRevoke?: () => Promise<void>;
}

export class SqlAuditStore implements AuditStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: SqlAuditOptions = {},
  ) {}

  async commit(change: Change, event: NewAuditEvent): Promise<ChangeOutcome> {
    if (change.kind === 'revokeTokens' || change.kind === 'deleteApp' || (change.kind === 'updateUser' && change.revokeTokens)) {
      await this.options.beforeRevoke?.();
    }
    const steps = plan(this.db, change, event);
    let outcome: ChangeOutcome;
    try {
      const count = this.options.sqlite ? await this.runSqlite(steps) : await this.runPostgres(steps);
      outcome = { applied: true, count };
    } catch (error) {
      if (error instanceof Refused) return { applied: false, reason: error.reason };
      if (isUniqueViolation(error)) return { applied: false, reason: 'conflict' };
      throw error;
    }
    this.options.committed?.(change);
    return outcome;
  }

  private async runPostgres(steps: Step[]): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      let count = 0;
      for (const [index, step] of steps.entries()) {
        const result = await trx.executeQuery(step.query);
        const touched = Number(result.numAffectedRows ?? 0n);
        if (index === 0) count = touched;
        if (step.guard !== undefined && touched === 0) throw new Refused(step.guard);
      }
      return count;
    });
  }

  private runSqlite(steps: Step[]): Promise<number> {
    const { raw, writer } = this.options.sqlite!;
    // better-sqlite3: a transaction function inside the turn's open BEGIN runs as a SAVEPOINT,
    // so a refusal (thrown) undoes this change alone.
    const apply = raw.transaction(() => {
      let count = 0;
      for (const [index, step] of steps.entries()) {
        const touched = raw.prepare(step.query.sql).run(...(step.query.parameters as unknown[])).changes;
        if (index === 0) count = touched;
        if (step.guard !== undefined && touched === 0) throw new Refused(step.guard);
      }
      return count;
    });
    return writer().write(() => apply());
  }

  async listEvents(page: AuditPage): Promise<AuditEvent[]> {
    let query = this.db.selectFrom('audit_events').selectAll().orderBy('id', 'desc').limit(page.limit);
    if (page.beforeId !== undefined) query = query.where('id', '<', page.beforeId);
    const involving = page.involving;
    if (involving !== undefined) {
      query = query.where((eb) => {
        const byActor = eb.and([eb('actor_type', '=', involving.actor.type), eb('actor_id', '=', involving.actor.id)]);
        if (involving.appIds.length === 0) return byActor;
        return eb.or([byActor, eb.and([eb('target_type', '=', 'app'), eb('target_id', 'in', involving.appIds)])]);
      });
    }
    return (await query.execute()).map(eventFromRow);
  }
}
