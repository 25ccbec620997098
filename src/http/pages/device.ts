/**
 * The verification page, /oauth/2.0/device and /device (RFC 8628 §3.3,
 * SPEC §6): the person enters the user code, signs in, and always sees the
 * consent page (§5.4: they must see which app they let in). Each form posts
 * back here with the code; every step looks the code up again, and every
 * miss counts as a guess (UserCodeGuard).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { selfRegisteredConsent } from '../self-registered.js';
import { findPendingDevice } from '../../core/device.js';
import type { User } from '../../core/model.js';
import type { Params } from '../../core/params.js';
import { formatUserCode, normaliseUserCode } from '../../core/user-code.js';
import { DeviceCodeCard, DeviceCodePage } from '../../views/device-pages.js';
import { MESSAGES } from '../../views/i18n.js';
import { renderDocument } from '../../views/layout.js';
import { ConsentPage, LoginPage, MessagePage } from '../../views/oauth-pages.js';
import type { RouteModule } from '../context.js';
import { endpoint } from '../endpoint.js';
import { pageContext } from '../page-context.js';
import { sendPage } from '../send-page.js';
import { csrfFor, csrfValid, currentUser, signInFromForm } from '../sign-in.js';
import { UserCodeGuard } from '../user-code-guard.js';

export const DEVICE_PAGE_PATHS = ['/oauth/2.0/device', '/device'] as const;

/** A form field as text; a repeated or missing one is simply empty (a page shows the form again, no OAuth error). */
function field(params: Params, name: string): string {
  const value = params[name];
  return typeof value === 'string' ? value : '';
}

export const devicePage: RouteModule = async (app, { services }) => {
  const { stores } = services;
  const guard = new UserCodeGuard(services.rateLimiter);

  const handle = (path: string) => async (request: FastifyRequest, reply: FastifyReply, params: Params) => {
    const ctx = pageContext(request);
    const t = MESSAGES[ctx.lang];
    reply.header('cache-control', 'no-store');
    const render = (node: preact.VNode, status = 200) => sendPage(request, reply, renderDocument(node), status);
    const form = (hidden: Record<string, string> = {}) => ({ ctx, action: path, csrfToken: csrfFor(services, request, reply), hidden });
    const codeForm = (code: string, message?: string, status = 200) => render(DeviceCodePage({ ...form(), code, message }), status);
    const tooMany = (code: string, retryAfter: number) => {
      reply.header('retry-after', String(retryAfter));
      return codeForm(code, t.tooManyAttempts, 429);
    };

    const step = request.method === 'POST' ? field(params, '_step') : '';
    // ?code= arrives prefilled (verification_uri_complete); the person still confirms it.
    if (step === '') return codeForm(field(params, 'code').slice(0, 32));
    // Every form post carries this browser's CSRF token (RFC 9700 §4.7).
    if (!csrfValid(services, request, params)) return render(MessagePage({ ctx, title: '403', message: t.forbidden }), 403);

    const typed = field(params, 'user_code').slice(0, 32);
    const waitBefore = await guard.blocked(request);
    if (waitBefore !== undefined) return tooMany(typed, waitBefore);
    const now = services.clock.now();
    const device = await findPendingDevice(stores.devices, typed, now);
    const client = device && (await stores.apps.findApp(device.clientId));
    if (device === undefined || client === undefined || client.disabled) {
      const wait = await guard.wrong(request);
      if (wait !== undefined) return tooMany(typed, wait);
      return codeForm(typed, t.deviceWrongCode);
    }
    if (step === 'code') {
      const wait = await guard.entered(device.id);
      if (wait !== undefined) return tooMany(typed, wait);
    }
    const userCode = formatUserCode(normaliseUserCode(typed)!);
    const hidden = { user_code: userCode };

    let signedIn = await currentUser(services, request);
    if (step === 'login') {
      const result = await signInFromForm(services, request, reply, params);
      if (!result.ok) return render(LoginPage({ ...form(hidden), appName: client.name, message: result.message, username: result.username }), result.status);
      signedIn = { session: result.session, user: result.user };
    }
    const user: User | undefined = signedIn?.user;
    if (user === undefined) return render(LoginPage({ ...form(hidden), appName: client.name }));

    const decision = field(params, 'decision');
    if (step === 'consent' && (decision === 'approve' || decision === 'deny')) {
      const approved = decision === 'approve';
      // One atomic store call: a second tab's answer, or one after expiry, changes nothing.
      // SPEC §7: the device's id_token names this session (auth_time, sid); RFC 8628 has no nonce.
      const signIn = approved && device.scope.includes('openid') && signedIn !== undefined ? { authTime: signedIn.session.authTime, sid: signedIn.session.sid } : null;
      if (!(await stores.devices.decideDevice(device.id, approved ? 'approved' : 'denied', user.uid, now, signIn))) return codeForm('', t.deviceWrongCode);
      return approved
        ? render(MessagePage({ ctx, title: t.deviceApprovedTitle, message: t.deviceApproved(client.name) }))
        : render(MessagePage({ ctx, title: t.deviceDeniedTitle, message: t.deviceDenied(client.name) }));
    }

    const known = await stores.scopes.listScopes();
    const scopes = device.scope.map((name) => known.find((scope) => scope.name === name) ?? { name, description: '' });
    const qrSrc = `/oauth/2.0/qrcode?${new URLSearchParams({ code: userCode, format: 'svg' })}`;
    return render(
      ConsentPage({
        ...form(hidden),
        appName: client.name,
        rootDomain: client.rootDomain,
        scopes,
        username: user.username,
        extra: DeviceCodeCard({ ctx, userCode, qrSrc }),
        ...selfRegisteredConsent(client, undefined),
      }),
    );
  };

  for (const path of DEVICE_PAGE_PATHS) endpoint(app, path, ['GET', 'POST'], 'page', handle(path));
};
