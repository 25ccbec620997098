/**
 * /account: the apps a person has authorized, each with a button that takes
 * the authorization back: the remembered consent goes, and every token the
 * person granted that app stops working at once.
 */
import { AccountPage, type AuthorizedApp } from '../../views/account-pages.js';
import { SITE_MESSAGES } from '../../views/i18n-site.js';
import { renderDocument } from '../../views/layout.js';
import type { RouteModule } from '../context.js';
import { endpoint } from '../endpoint.js';
import { pageContext } from '../page-context.js';
import { sendPage } from '../send-page.js';
import { field, rejectForgery, requireUser, seeOther } from '../site-pages.js';

export const accountPages: RouteModule = async (app, { services }) => {
  const { stores } = services;

  endpoint(app, '/account', ['GET'], 'page', async (request, reply, params) => {
    const who = await requireUser(services, request, reply);
    if (!who) return reply;
    const ctx = { ...pageContext(request), url: '/account' };
    const [consents, allScopes] = await Promise.all([stores.consents.listConsents(who.user.uid), stores.scopes.listScopes()]);
    const apps: AuthorizedApp[] = await Promise.all(
      consents.map(async (consent) => {
        const found = await stores.apps.findApp(consent.clientId);
        const scopes = consent.scope.map((name) => allScopes.find((scope) => scope.name === name) ?? { name, description: '' });
        return { clientId: consent.clientId, name: found?.name, rootDomain: found?.rootDomain, scopes };
      }),
    );
    // After a revocation: which app, by name (looked up, never reflected from the URL).
    const revoked = field(params, 'revoked');
    const revokedApp = revoked === '' ? undefined : await stores.apps.findApp(revoked);
    const notice = revokedApp ? SITE_MESSAGES[ctx.lang].accountRevoked(revokedApp.name) : undefined;
    return sendPage(request, reply, renderDocument(AccountPage({ ctx, username: who.user.username, csrfToken: who.csrfToken, apps, notice })));
  });

  endpoint(app, '/account/revoke', ['POST'], 'page', async (request, reply, params) => {
    const who = await requireUser(services, request, reply);
    if (!who) return reply;
    const forged = rejectForgery(services, request, reply, params);
    if (forged) return forged;
    const clientId = field(params, 'client_id');
    const now = services.clock.now();
    await stores.consents.deleteConsent(who.user.uid, clientId);
    await stores.tokens.revokeUserTokens(who.user.uid, clientId, now);
    return seeOther(reply, `/account?${new URLSearchParams({ revoked: clientId })}`);
  });
};
