/**
 * Platform users: creation, changes and sign-in. The CLI, the sign-up and
 * setup pages and the admin API all create and change users here; each change
 * writes its audit event in the same transaction (core/audit.ts).
 */
import { applyUserPatch, auditEvent, commitChange, NotFoundError, type AuditStore, type ChangeContext, type UserPatch } from './audit.js';
import { nextId } from './ids.js';
import type { User } from './model.js';
import type { UserStore } from './ports.js';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from './users.js';

export class AccountInputError extends Error {
  constructor(
    message: string,
    /** The wire name of the field at fault (the admin API's problem names it). */
    readonly field?: string,
  ) {
    super(message);
  }
}

/** The username belongs to another user (the admin API answers 409). */
export class UsernameTakenError extends AccountInputError {}

const USERNAME = /^[\p{L}\p{N}_.@-]{1,64}$/u;

// Deliberately loose (RFC 5321 addresses are hard to validate by pattern): one @, no spaces, a dot in the domain.
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/;

export interface AccountDeps {
  audit: Pick<AuditStore, 'commit'>;
}

export interface AccountInput {
  username: string;
  password: string;
  email?: string | undefined;
  /** The display name (OIDC `name`, `profile` scope). */
  name?: string | undefined;
  /** The platform checked the address (OIDC `email_verified`); needs an email. */
  emailVerified?: boolean | undefined;
}

function checkUsername(username: string): void {
  if (!USERNAME.test(username)) throw new AccountInputError('username must be 1 to 64 letters, digits or _ . @ -', 'username');
}

function checkPassword(password: string): void {
  if (password.length < 8 || password.length > 200) throw new AccountInputError('password must be 8 to 200 characters', 'password');
}

function checkEmail(email: string): void {
  if (email.length > 254 || !EMAIL.test(email)) throw new AccountInputError(`email ${JSON.stringify(email)} is not an email address`, 'email');
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > 200) throw new AccountInputError('name must be 1 to 200 characters', 'name');
  return trimmed;
}

export async function createAccount(deps: AccountDeps, input: AccountInput, ctx: ChangeContext): Promise<User> {
  const { username, password, email } = input;
  checkUsername(username);
  checkPassword(password);
  if (email !== undefined) checkEmail(email);
  if (input.emailVerified === true && email === undefined) throw new AccountInputError('email_verified needs an email', 'email_verified');
  const user: User = {
    uid: String(nextId(ctx.now)),
    username,
    passwordHash: await hashPassword(password),
    createdAt: ctx.now,
    emailVerified: input.emailVerified ?? false,
    updatedAt: ctx.now,
  };
  if (email !== undefined) user.email = email;
  if (input.name !== undefined) user.name = checkName(input.name);
  await commitChange(deps.audit, { kind: 'createUser', user }, auditEvent(ctx, 'user.create', { type: 'user', id: user.uid }, user.uid), {
    conflict: () => new UsernameTakenError(`username ${username} is taken`, 'username'),
  });
  return user;
}

export interface AccountChanges {
  username?: string;
  /** Write-only: stored as its scrypt hash. */
  password?: string;
  /** null removes the address. */
  email?: string | null;
  /** null removes the name. */
  name?: string | null;
  emailVerified?: boolean;
  disabled?: boolean;
}

/**
 * Changes a user. Disabling them, or resetting their password, also revokes
 * every token they hold, in the same transaction: whoever had them is out.
 * Only `disabled: true` alone is user.disable; anything else user.update.
 */
export async function updateAccount(deps: AccountDeps & { users: Pick<UserStore, 'findUserByUid'> }, uid: string, changes: AccountChanges, ctx: ChangeContext): Promise<User> {
  const current = await deps.users.findUserByUid(uid);
  if (current === undefined) throw new NotFoundError('user', uid);
  const patch: UserPatch = {};
  if (changes.username !== undefined) {
    checkUsername(changes.username);
    patch.username = changes.username;
  }
  if (changes.password !== undefined) {
    checkPassword(changes.password);
    patch.passwordHash = await hashPassword(changes.password);
  }
  if (changes.email !== undefined) {
    if (changes.email !== null) checkEmail(changes.email);
    patch.email = changes.email;
  }
  if (changes.name !== undefined) patch.name = changes.name === null ? null : checkName(changes.name);
  if (changes.emailVerified !== undefined) patch.emailVerified = changes.emailVerified;
  if (changes.disabled !== undefined) patch.disabled = changes.disabled;
  // OIDC `updated_at`: when what apps can read of the profile last changed.
  if (patch.username !== undefined || patch.email !== undefined || patch.name !== undefined || patch.emailVerified !== undefined) patch.updatedAt = ctx.now;
  const keys = Object.keys(patch).filter((key) => key !== 'updatedAt');
  const action = keys.length === 1 && patch.disabled === true ? 'user.disable' : 'user.update';
  const revokeTokens = patch.disabled === true || patch.passwordHash !== undefined;
  await commitChange(deps.audit, { kind: 'updateUser', uid, patch, revokeTokens }, auditEvent(ctx, action, { type: 'user', id: uid }), {
    notFound: () => new NotFoundError('user', uid),
    conflict: () => new UsernameTakenError(`username ${changes.username} is taken`, 'username'),
  });
  return applyUserPatch(current, patch);
}

/** The user behind a username and password, or undefined (a disabled user too); costs the same whether or not the user exists. */
export async function signIn(users: Pick<UserStore, 'findUserByUsername'>, username: string, password: string): Promise<User | undefined> {
  const user = await users.findUserByUsername(username);
  const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
  return ok && user && user.disabled !== true ? user : undefined;
}
