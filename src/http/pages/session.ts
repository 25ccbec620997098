/**
 * Signing in and out of the site itself (console, account), sign-up when the
 * operator allows it, and first-run setup: the one-time link `gatehouse serve`
 * prints while the database has no user.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AccountInputError, createAccount } from '../../core/accounts.js';
import { createFirstAccount, setupTokenValid } from '../../core/first-run.js';
import type { User } from '../../core/model.js';
import type { Params } from '../../core/params.js';
import { NewAccountPage } from '../../views/account-pages.js';
import { MESSAGES } from '../../views/i18n.js';
import { SITE_MESSAGES, type SiteMessages } from '../../views/i18n-site.js';
import { renderDocument } from '../../views/layout.js';
import { LoginPage, MessagePage } from '../../views/oauth-pages.js';
import { changeContext } from '../change-context.js';
import type { RouteModule } from '../context.js';
import { newSession, parseCookies } from '../cookies.js';
import { endSession } from '../../core/logout.js';
import { endpoint } from '../endpoint.js';
import { TransportError } from '../errors.js';
import { pageContext } from '../page-context.js';
import { sendPage } from '../send-page.js';
import { csrfFor, currentUser, signInFromForm } from '../sign-in.js';
import { field, localPath, rejectForgery, seeOther } from '../site-pages.js';

/** Sign-ups per client address per hour: each costs a password hash and a row. */
const SIGNUPS = { limit: 10, window: 3600 };

/** The core's account rules, in the person's language. */
function accountMessage(error: AccountInputError, s: SiteMessages): string {
  if (error.message.startsWith('username must')) return s.usernameRule;
  if (error.message.startsWith('password must')) return s.passwordRule;
  return s.usernameTaken;
}

export const sessionPages: RouteModule = async (app, { services }) => {
  const { config, stores } = services;

  const signInAs = (reply: FastifyReply, user: User) => {
    const now = services.clock.now();
    reply.header('set-cookie', services.cookies.sessionCookie(newSession(user.uid, now), now));
  };

  /** The new-account form of /signup and /setup, with what went wrong and what was typed. */
  const newAccountPage = (request: FastifyRequest, reply: FastifyReply, kind: 'signup' | 'setup', extra: { token?: string; message?: string; username?: string; status?: number }) => {
    const ctx = pageContext(request);
    const s = SITE_MESSAGES[ctx.lang];
    const setup = kind === 'setup';
    const html = renderDocument(
      NewAccountPage({
        ctx,
        title: setup ? s.setupTitle : s.signUpTitle,
        intro: setup ? s.setupIntro : s.signUpIntro,
        button: setup ? s.setupButton : s.signUpButton,
        action: setup ? '/setup' : '/signup',
        csrfToken: csrfFor(services, request, reply),
        hidden: setup ? { token: extra.token ?? '' } : {},
        username: extra.username,
        message: extra.message,
        signInHref: setup ? undefined : '/login',
      }),
    );
    return sendPage(request, reply.header('cache-control', 'no-store'), html, extra.status ?? 200);
  };

  /** Reads the new-account form; a message when the two passwords differ. */
  const readNewAccount = (params: Params, s: SiteMessages) => {
    const username = field(params, 'username').trim();
    const password = field(params, 'password');
    return { username, password, mismatch: password !== field(params, 'password2') ? s.passwordsDiffer : undefined };
  };

  endpoint(app, '/login', ['GET', 'POST'], 'page', async (request, reply, params) => {
    const ctx = pageContext(request);
    const next = localPath(params['next']);
    reply.header('cache-control', 'no-store');
    let message: string | undefined;
    let status = 200;
    let username: string | undefined;
    if (request.method === 'POST') {
      const forged = rejectForgery(services, request, reply, params);
      if (forged) return forged;
      const result = await signInFromForm(services, request, reply, params);
      if (result.ok) return seeOther(reply, next);
      ({ message, status, username } = result);
    } else if ((await currentUser(services, request)) !== undefined) {
      return seeOther(reply, next);
    }
    const html = renderDocument(
      LoginPage({
        ctx,
        action: '/login',
        csrfToken: csrfFor(services, request, reply),
        hidden: { next },
        message,
        username,
        signUpHref: config.allowSignup ? '/signup' : undefined,
      }),
    );
    return sendPage(request, reply, html, status);
  });

  endpoint(app, '/logout', ['POST'], 'page', async (request, reply, params) => {
    const forged = rejectForgery(services, request, reply, params);
    if (forged) return forged;
    // Signing out of the site ends the sign-in session: the apps it signed in to hear it too.
    const now = services.clock.now();
    const session = services.cookies.readSession(parseCookies(request.headers.cookie), now);
    if (session !== undefined) await endSession(stores, session, now);
    reply.header('set-cookie', services.cookies.clearSessionCookie());
    return seeOther(reply, '/');
  });

  endpoint(app, '/signup', ['GET', 'POST'], 'page', async (request, reply, params) => {
    if (!config.allowSignup) throw new TransportError(404, 'sign-up is not enabled on this server');
    if (request.method === 'GET') return newAccountPage(request, reply, 'signup', {});
    const forged = rejectForgery(services, request, reply, params);
    if (forged) return forged;
    const s = SITE_MESSAGES[pageContext(request).lang];
    const { username, password, mismatch } = readNewAccount(params, s);
    if (mismatch) return newAccountPage(request, reply, 'signup', { message: mismatch, username, status: 400 });
    const limit = await services.rateLimiter.hit(`signup:${request.ip}`, SIGNUPS.limit, SIGNUPS.window);
    if (!limit.allowed) {
      reply.header('retry-after', String(limit.retryAfter));
      return newAccountPage(request, reply, 'signup', { message: MESSAGES[pageContext(request).lang].tooManyAttempts, username, status: 429 });
    }
    try {
      signInAs(reply, await createAccount(stores, { username, password }, changeContext(services, request, 'self')));
    } catch (error) {
      if (!(error instanceof AccountInputError)) throw error;
      return newAccountPage(request, reply, 'signup', { message: accountMessage(error, s), username, status: 400 });
    }
    return seeOther(reply, '/account');
  });

  /** Setup is open only while there is no user and only with the token printed by `serve`. */
  const setupOpen = async (token: string) => (await stores.users.countUsers()) === 0 && (await setupTokenValid(services.setupTokens, token));
  const setupClosed = (request: FastifyRequest, reply: FastifyReply) => {
    const ctx = pageContext(request);
    const s = SITE_MESSAGES[ctx.lang];
    return sendPage(request, reply.header('cache-control', 'no-store'), renderDocument(MessagePage({ ctx, title: s.setupTitle, message: s.setupInvalid })), 404);
  };

  endpoint(app, '/setup', ['GET', 'POST'], 'page', async (request, reply, params) => {
    const token = field(params, 'token');
    if (request.method === 'GET') {
      if (!(await setupOpen(token))) return setupClosed(request, reply);
      return newAccountPage(request, reply, 'setup', { token });
    }
    const forged = rejectForgery(services, request, reply, params);
    if (forged) return forged;
    if (!(await setupOpen(token))) return setupClosed(request, reply);
    const s = SITE_MESSAGES[pageContext(request).lang];
    const { username, password, mismatch } = readNewAccount(params, s);
    if (mismatch) return newAccountPage(request, reply, 'setup', { token, message: mismatch, username, status: 400 });
    let user: User | undefined;
    try {
      user = await createFirstAccount(services.setupTokens, token, () => createAccount(stores, { username, password }, changeContext(services, request, 'self')));
    } catch (error) {
      if (!(error instanceof AccountInputError)) throw error;
      return newAccountPage(request, reply, 'setup', { token, message: accountMessage(error, s), username, status: 400 });
    }
    if (user === undefined) return setupClosed(request, reply);
    signInAs(reply, user);
    return seeOther(reply, '/console');
  });
};
