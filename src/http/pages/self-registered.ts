/**
 * /console/self-registered: the apps that registered themselves (SPEC §9),
 * for the operators named in GATEHOUSE_OPERATORS (usernames), who may disable
 * or enable each. Everyone else gets the 404 of a page that is not there.
 * Changes are POSTs with the CSRF token, audited as app.disable / app.enable.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { setAppDisabled } from '../../core/apps.js';
import { NotFoundError } from '../../core/audit.js';
import { MESSAGES } from '../../views/i18n.js';
import { renderDocument } from '../../views/layout.js';
import { MessagePage } from '../../views/oauth-pages.js';
import { SELF_REGISTERED_PATH, SelfRegisteredAppsPage } from '../../views/self-registered-pages.js';
import { changeContext } from '../change-context.js';
import type { RouteModule } from '../context.js';
import { endpoint } from '../endpoint.js';
import { pageContext } from '../page-context.js';
import { sendPage } from '../send-page.js';
import { field, rejectForgery, requireUser, seeOther, type SignedIn } from '../site-pages.js';

/** How many apps the list shows (newest first); the admin API pages through all of them. */
const SHOWN = 500;

export const selfRegisteredPages: RouteModule = async (app, { services }) => {
  const { stores, config } = services;
  const notFound = (request: FastifyRequest, reply: FastifyReply) => {
    const ctx = pageContext(request);
    return sendPage(request, reply, renderDocument(MessagePage({ ctx, title: '404', message: MESSAGES[ctx.lang].notFound })), 404);
  };
  const operator = async (request: FastifyRequest, reply: FastifyReply): Promise<SignedIn | undefined> => {
    const who = await requireUser(services, request, reply);
    if (who === undefined) return undefined;
    if (!config.operators.includes(who.user.username)) {
      notFound(request, reply);
      return undefined;
    }
    return who;
  };

  endpoint(app, SELF_REGISTERED_PATH, ['GET'], 'page', async (request, reply) => {
    const who = await operator(request, reply);
    if (!who) return reply;
    const apps = (await stores.apps.listApps()).filter((one) => one.registration).sort((a, b) => b.createdAt - a.createdAt).slice(0, SHOWN);
    const ctx = { ...pageContext(request), url: SELF_REGISTERED_PATH };
    return sendPage(request, reply, renderDocument(SelfRegisteredAppsPage({ ctx, username: who.user.username, csrfToken: who.csrfToken, apps })));
  });

  endpoint(app, `${SELF_REGISTERED_PATH}/:id`, ['POST'], 'page', async (request, reply, params) => {
    const who = await operator(request, reply);
    if (!who) return reply;
    const forged = rejectForgery(services, request, reply, params);
    if (forged) return forged;
    const target = await stores.apps.findApp((request.params as { id: string }).id);
    const decision = field(params, 'decision');
    if (target === undefined || !target.registration || (decision !== 'disable' && decision !== 'enable')) return notFound(request, reply);
    try {
      await setAppDisabled(stores, target.clientId, decision === 'disable', changeContext(services, request, { type: 'user', id: who.user.uid }));
    } catch (error) {
      if (error instanceof NotFoundError) return notFound(request, reply);
      throw error;
    }
    return seeOther(reply, SELF_REGISTERED_PATH);
  });
};
