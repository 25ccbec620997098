/**
 * Signing a person in from a form, shared by the authorize and device pages:
 * rate-limited per client address and per address+username (failures only, so
 * a person who signs in often is never locked out), and the same cost whether
 * or not the username exists.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { signIn } from '../core/accounts.js';
import type { User } from '../core/model.js';
import type { Params } from '../core/params.js';
import { MESSAGES } from '../views/i18n.js';
import type { Services } from './context.js';
import { newSession, parseCookies, type Session } from './cookies.js';
import { pageContext } from './page-context.js';

const PER_ACCOUNT = { limit: 10, window: 600 };
const PER_ADDRESS = { limit: 100, window: 600 };

export type SignInResult = { ok: true; user: User; session: Session } | { ok: false; message: string; status: number; username: string };

function text(params: Params, name: string): string {
  const value = params[name];
  return typeof value === 'string' ? value : '';
}

export async function signInFromForm(services: Services, request: FastifyRequest, reply: FastifyReply, params: Params): Promise<SignInResult> {
  const t = MESSAGES[pageContext(request).lang];
  const username = text(params, 'username').trim().slice(0, 200);
  const password = text(params, 'password').slice(0, 1000);
  const accountKey = `signin:${request.ip}:${username.toLowerCase()}`;
  const addressKey = `signin:${request.ip}`;
  const [account, address] = await Promise.all([
    services.rateLimiter.peek(accountKey, PER_ACCOUNT.limit),
    services.rateLimiter.peek(addressKey, PER_ADDRESS.limit),
  ]);
  if (!account.allowed || !address.allowed) {
    reply.header('retry-after', String(Math.max(account.retryAfter, address.retryAfter)));
    return { ok: false, message: t.tooManyAttempts, status: 429, username };
  }
  const user = username === '' ? undefined : await signIn(services.stores.users, username, password);
  if (user === undefined) {
    await Promise.all([
      services.rateLimiter.hit(accountKey, PER_ACCOUNT.limit, PER_ACCOUNT.window),
      services.rateLimiter.hit(addressKey, PER_ADDRESS.limit, PER_ADDRESS.window),
    ]);
    return { ok: false, message: t.badCredentials, status: 200, username };
  }
  await services.rateLimiter.reset(accountKey);
  const now = services.clock.now();
  const session = newSession(user.uid, now);
  reply.header('set-cookie', services.cookies.sessionCookie(session, now));
  return { ok: true, user, session };
}

/** The signed-in person of this request, if any. */
export async function currentUser(services: Services, request: FastifyRequest): Promise<{ session: Session; user: User } | undefined> {
  const session = services.cookies.readSession(parseCookies(request.headers.cookie), services.clock.now());
  if (session === undefined) return undefined;
  const user = await services.stores.users.findUserByUid(session.uid);
  // A user an operator disabled is signed out everywhere at once (SPEC §10).
  return user && user.disabled !== true ? { session, user } : undefined;
}

/** A CSRF token for a form on this response (setting the nonce cookie when the browser has none). */
export function csrfFor(services: Services, request: FastifyRequest, reply: FastifyReply): string {
  const { nonce, setCookie } = services.cookies.csrfNonce(parseCookies(request.headers.cookie));
  if (setCookie !== undefined) reply.header('set-cookie', setCookie);
  return services.cookies.csrfToken(nonce);
}

export function csrfValid(services: Services, request: FastifyRequest, params: Params): boolean {
  const token = params['csrf_token'];
  return services.cookies.checkCsrf(parseCookies(request.headers.cookie), typeof token === 'string' ? token : undefined);
}
