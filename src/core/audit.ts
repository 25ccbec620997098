/**
 * The audit trail (SPEC §10) and the unit of work that writes it: every change
 * made through the CLI, the console or the admin API is one `Change` handed to
 * `AuditStore.commit` together with its event, and the store applies both in
 * one transaction (or neither). The change is data, not a callback, so that
 * SQLite can apply it synchronously inside its turn transaction
 * (storage/sql/sqlite-turn-writer.ts) and PostgreSQL in a real transaction.
 * An event never holds a secret: it names who, what and which, nothing more.
 */
import type { App, Scope, User } from './model.js';
import type { StoredSigningKey } from './signing.js';

export type ActorType = 'user' | 'app' | 'cli';

export interface Actor {
  type: ActorType;
  /** A uid, a client_id, or the operating-system user who ran the CLI. */
  id: string;
}

export const AUDIT_ACTIONS = [
  'app.create',
  'app.update',
  'app.delete',
  'app.disable',
  'app.enable',
  'app.rotate_secret',
  'user.create',
  'user.update',
  'user.disable',
  'scope.create',
  'scope.update',
  'tokens.revoke',
  'key.rotate',
  'key.retire',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** `grant` is a user's tokens for one app (tokens.revoke with both uid and client_id): id `UID/CLIENT_ID`. */
export const TARGET_TYPES = ['app', 'user', 'scope', 'grant', 'key'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];

export interface AuditEvent {
  /** Grows with every event (the store's sequence): newest first is id descending. */
  id: number;
  /** Milliseconds since the epoch; ISO 8601 on the wire. */
  at: number;
  actor: Actor;
  action: AuditAction;
  target: { type: TargetType; id: string };
  /** The client address of the HTTP request; null from the CLI. */
  address: string | null;
  requestId: string | null;
}

export type NewAuditEvent = Omit<AuditEvent, 'id'>;

/**
 * Who makes a change, from where, and when: every core function that changes
 * something takes it. `actor: 'self'` is a person creating their own account
 * (sign-up, first-run setup): the event's actor is the new user.
 */
export interface ChangeContext {
  actor: Actor | 'self';
  address: string | null;
  requestId: string | null;
  now: number;
}

export type AppPatch = Partial<Omit<App, 'clientId' | 'createdAt'>>;

export interface UserPatch {
  username?: string;
  passwordHash?: string;
  /** null removes the address. */
  email?: string | null;
  /** null removes the name. */
  name?: string | null;
  emailVerified?: boolean;
  updatedAt?: number;
  disabled?: boolean;
}

/** A user as a patch leaves them (the memory store applies it; updateAccount answers it). */
export function applyUserPatch(user: User, patch: UserPatch): User {
  const updated: User = { ...user };
  if (patch.username !== undefined) updated.username = patch.username;
  if (patch.passwordHash !== undefined) updated.passwordHash = patch.passwordHash;
  if (patch.email === null) delete updated.email;
  else if (patch.email !== undefined) updated.email = patch.email;
  if (patch.name === null) delete updated.name;
  else if (patch.name !== undefined) updated.name = patch.name;
  if (patch.emailVerified !== undefined) updated.emailVerified = patch.emailVerified;
  if (patch.updatedAt !== undefined) updated.updatedAt = patch.updatedAt;
  if (patch.disabled === true) updated.disabled = true;
  else if (patch.disabled === false) delete updated.disabled;
  return updated;
}

/** One change, as data. Times come from the event's `at`. */
export type Change =
  | { kind: 'createApp'; app: App }
  | { kind: 'updateApp'; clientId: string; patch: AppPatch }
  /** Deletes the app, revokes its tokens and forgets its consents. */
  | { kind: 'deleteApp'; clientId: string }
  | { kind: 'createUser'; user: User }
  /** `revokeTokens`: also revoke every token of the user (disabled, password reset). */
  | { kind: 'updateUser'; uid: string; patch: UserPatch; revokeTokens: boolean }
  /** Fails with `conflict` when the scope exists. */
  | { kind: 'createScope'; scope: Scope }
  /** Creates or updates the description (the CLI's `scopes create`, as before). */
  | { kind: 'saveScope'; scope: Scope }
  /** Revokes every live token of the user, the app, or the user's tokens for the app (one at least). */
  | { kind: 'revokeTokens'; uid?: string; clientId?: string }
  /**
   * A rotated-in signing key (key.rotate). Refused as `conflict` when its kid or
   * its (alg, generation) is taken: another rotation won, the caller goes after it.
   */
  | { kind: 'insertSigningKey'; key: StoredSigningKey }
  /** Unpublishes a key now (key.retire); `not_found` when it is unknown or retired already. */
  | { kind: 'retireSigningKey'; kid: string };

/**
 * `count`: rows the change touched (tokens revoked for revokeTokens).
 * `not_found`: the app or user to change does not exist; `conflict`: the
 * name is taken. Either way nothing was written, the event neither.
 */
export type ChangeOutcome = { applied: true; count: number } | { applied: false; reason: 'not_found' | 'conflict' };

export interface AuditPage {
  limit: number;
  /** Only events with a smaller id (the cursor of the previous page). */
  beforeId?: number;
  /** Only events by this actor, or about one of these apps (the console's view of a developer's own apps). */
  involving?: { actor: Actor; appIds: string[] };
}

export interface AuditStore {
  /** Applies the change and appends the event in one transaction; neither when the change is refused. */
  commit(change: Change, event: NewAuditEvent): Promise<ChangeOutcome>;
  /** Newest first. */
  listEvents(page: AuditPage): Promise<AuditEvent[]>;
}

/** The thing to change does not exist. */
export class NotFoundError extends Error {
  constructor(
    readonly what: 'app' | 'user' | 'scope',
    readonly id: string,
  ) {
    super(`no ${what} with ${what === 'app' ? 'client_id' : what === 'user' ? 'uid' : 'name'} ${id}`);
    this.name = 'NotFoundError';
  }
}

/** The change would take a name that is taken (a scope, a username). */
export class ConflictError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'ConflictError';
  }
}

/** The event of a change made in `ctx`; `self` is the id of the account being created. */
export function auditEvent(ctx: ChangeContext, action: AuditAction, target: AuditEvent['target'], self?: string): NewAuditEvent {
  const actor: Actor = ctx.actor === 'self' ? { type: 'user', id: self ?? target.id } : ctx.actor;
  return { at: ctx.now, actor, action, target, address: ctx.address, requestId: ctx.requestId };
}

/** Commits and turns a refusal into the error that names it. */
export async function commitChange(
  audit: Pick<AuditStore, 'commit'>,
  change: Change,
  event: NewAuditEvent,
  refused: { notFound?: () => Error; conflict?: () => Error },
): Promise<number> {
  const outcome = await audit.commit(change, event);
  if (outcome.applied) return outcome.count;
  const make = outcome.reason === 'not_found' ? refused.notFound : refused.conflict;
  throw make ? make() : new Error(`change ${change.kind} refused: ${outcome.reason}`);
}
