/** Platform users: creation and sign-in. */
import { nextId } from './ids.js';
import type { User } from './model.js';
import type { UserStore } from './ports.js';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from './users.js';

export class AccountInputError extends Error {}

const USERNAME = /^[\p{L}\p{N}_.@-]{1,64}$/u;

// Deliberately loose (RFC 5321 addresses are hard to validate by pattern): one @, no spaces, a dot in the domain.
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/;

/** What a person's profile may say beyond the username (the OIDC `profile` and `email` claims). */
export interface Profile {
  email?: string | undefined;
  name?: string | undefined;
  emailVerified?: boolean | undefined;
}

/** A profile as given (CLI, admin API), checked; the message names the field. */
export function checkProfile(profile: Profile): Profile {
  const { email, name } = profile;
  if (email !== undefined && (email.length > 254 || !EMAIL.test(email))) throw new AccountInputError(`email ${JSON.stringify(email)} is not an email address`);
  if (name !== undefined && (name.trim() === '' || name.length > 200)) throw new AccountInputError('name must be 1 to 200 characters');
  if (profile.emailVerified === true && email === undefined) throw new AccountInputError('email_verified needs an email');
  return profile;
}

export async function createAccount(
  users: Pick<UserStore, 'createUser'>,
  username: string,
  password: string,
  now: number,
  profile: Profile | string = {},
): Promise<User> {
  if (!USERNAME.test(username)) throw new AccountInputError('username must be 1 to 64 letters, digits or _ . @ -');
  if (password.length < 8 || password.length > 200) throw new AccountInputError('password must be 8 to 200 characters');
  const { email, name, emailVerified } = checkProfile(typeof profile === 'string' ? { email: profile } : profile);
  const user: User = { uid: String(nextId(now)), username, passwordHash: await hashPassword(password), createdAt: now, emailVerified: emailVerified ?? false, updatedAt: now };
  if (email !== undefined) user.email = email;
  if (name !== undefined) user.name = name.trim();
  if (!(await users.createUser(user))) throw new AccountInputError(`username ${username} is taken`);
  return user;
}

/** The user behind a username and password, or undefined; costs the same whether or not the user exists. */
export async function signIn(users: Pick<UserStore, 'findUserByUsername'>, username: string, password: string): Promise<User | undefined> {
  const user = await users.findUserByUsername(username);
  const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
  return ok && user ? user : undefined;
}
