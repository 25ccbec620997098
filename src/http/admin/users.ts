/** /admin/v1/users: the same core functions as the CLI and the sign-up page (core/accounts.ts). */
import { endUserSessions } from '../../core/logout.js';
import { createAccount, updateAccount, type AccountChanges } from '../../core/accounts.js';
import { NotFoundError } from '../../core/audit.js';
import type { Kit, ListQuery } from './kit.js';
import * as S from './schemas.js';
import { userJson } from './wire.js';

type ByUid = { uid: string };

export function userRoutes(kit: Kit): void {
  const { services, op } = kit;
  const { stores } = services;

  op({
    method: 'GET',
    url: '/users',
    operationId: 'listUsers',
    summary: 'List users, oldest first',
    tag: 'users',
    query: S.listQuery,
    ok: { status: 200, schema: S.page(S.user, 'users'), description: 'a page of users' },
    handler: async (request) => {
      const { limit, cursor } = request.query as ListQuery;
      const after = kit.position('users', cursor, (value): value is string => typeof value === 'string');
      const rows = await stores.users.listUsers({ limit: limit + 1, ...(after === undefined ? {} : { afterUid: after }) });
      return kit.page('users', rows, limit, userJson, (user) => user.uid);
    },
  });

  op({
    method: 'POST',
    url: '/users',
    operationId: 'createUser',
    summary: 'Create a user who can sign in and approve apps',
    tag: 'users',
    body: S.userCreate,
    ok: { status: 201, schema: S.user, description: 'the user (never the password)' },
    problems: [409],
    handler: async (request, reply) => {
      const body = request.body as { username: string; password: string; email?: string; name?: string; email_verified?: boolean };
      const user = await createAccount(stores, { username: body.username, password: body.password, email: body.email, name: body.name, emailVerified: body.email_verified }, kit.ctx(request));
      return reply.code(201).send(userJson(user));
    },
  });

  op({
    method: 'GET',
    url: '/users/:uid',
    operationId: 'getUser',
    summary: 'Read a user',
    tag: 'users',
    params: S.uidParams,
    ok: { status: 200, schema: S.user, description: 'the user' },
    problems: [404],
    handler: async (request) => {
      const { uid } = request.params as ByUid;
      const user = await stores.users.findUserByUid(uid);
      if (user === undefined) throw new NotFoundError('user', uid);
      return userJson(user);
    },
  });

  op({
    method: 'PATCH',
    url: '/users/:uid',
    operationId: 'updateUser',
    summary: 'Change a user; a new password or disabled: true also revokes every token of the user',
    tag: 'users',
    params: S.uidParams,
    body: S.userPatch,
    ok: { status: 200, schema: S.user, description: 'the user as they now are' },
    problems: [404, 409],
    handler: async (request) => {
      const { uid } = request.params as ByUid;
      const { email_verified: emailVerified, ...rest } = request.body as AccountChanges & { email_verified?: boolean };
      const changes: AccountChanges = emailVerified === undefined ? rest : { ...rest, emailVerified };
      const user = await updateAccount(stores, uid, changes, kit.ctx(request));
      // SPEC §7: a user disabled, or their password reset, ends their sessions: each app they signed in to hears it (back-channel logout).
      if (changes.disabled === true || changes.password !== undefined) await endUserSessions(stores, uid, services.clock.now());
      return userJson(user);
    },
  });

  op({
    method: 'POST',
    url: '/users/:uid/disable',
    operationId: 'disableUser',
    summary: 'Disable a user: no sign-in, and every token of the user revoked',
    tag: 'users',
    params: S.uidParams,
    ok: { status: 200, schema: S.user, description: 'the user as they now are' },
    problems: [404],
    handler: async (request) => {
      const { uid } = request.params as ByUid;
      const user = await updateAccount(stores, uid, { disabled: true }, kit.ctx(request));
      await endUserSessions(stores, uid, services.clock.now());
      return userJson(user);
    },
  });
}
