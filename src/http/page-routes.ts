/** Pages outside the protocol: home, the error reference, the oob landing page, static assets, health. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES, isErrorCode } from '../core/errors.js';
import { single } from '../core/params.js';
import { renderDocument } from '../views/layout.js';
import { ErrorIndexPage, ErrorPage, LoginSuccessPage } from '../views/oauth-pages.js';
import { STYLESHEET } from '../views/style.js';
import type { Services } from './app.js';
import { endpoint } from './endpoint.js';
import { pageHeaders, TransportError } from './errors.js';
import { pageContext, rememberLang } from './page-context.js';
import { csrfFor, currentUser } from './sign-in.js';
import { HomePage } from '../views/account-pages.js';

/** The copy buttons (login_success code, console Secret Key): progressive enhancement, the text is on the page anyway. */
const COPY_SCRIPT = `document.addEventListener('click',function(e){var b=e.target.closest('[data-copy-target]');if(!b)return;var t=document.getElementById(b.getAttribute('data-copy-target'));if(!t||!navigator.clipboard)return;navigator.clipboard.writeText(t.textContent.trim()).then(function(){var d=b.getAttribute('data-copied');if(d)b.textContent=d;});});`;

/** Sends a page, remembering an explicit ?lang= choice in a cookie (SPEC §6). */
export function sendPage(request: FastifyRequest, reply: FastifyReply, html: string, status = 200): FastifyReply {
  rememberLang(request, reply);
  return pageHeaders(reply).code(status).send(html);
}

export function registerPageRoutes(app: FastifyInstance, services: Services): void {
  endpoint(app, '/', ['GET'], 'page', async (request, reply) => {
    const signedIn = await currentUser(services, request);
    const user = signedIn && { username: signedIn.user.username, csrfToken: csrfFor(services, request, reply) };
    if (user) reply.header('cache-control', 'no-store');
    return sendPage(request, reply, renderDocument(HomePage({ ctx: pageContext(request), user, allowSignup: services.config.allowSignup })));
  });

  endpoint(app, '/static/gatehouse.css', ['GET'], 'page', (_request, reply) =>
    reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(STYLESHEET),
  );
  endpoint(app, '/static/copy.js', ['GET'], 'page', (_request, reply) =>
    reply.header('content-type', 'text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(COPY_SCRIPT),
  );

  endpoint(app, '/oauth/2.0/errors', ['GET'], 'page', (request, reply) =>
    sendPage(request, reply, renderDocument(ErrorIndexPage({ ctx: pageContext(request), codes: ERROR_CODES }))),
  );
  endpoint(app, '/oauth/2.0/errors/:code', ['GET'], 'page', (request, reply) => {
    const code = (request.params as { code: string }).code;
    if (!isErrorCode(code)) throw new TransportError(404, `there is no error code ${code}`);
    return sendPage(request, reply, renderDocument(ErrorPage({ ctx: pageContext(request), code })));
  });

  // Where redirect_uri=oob lands: the code in data-code and in <title> (SPEC §1).
  endpoint(app, '/oauth/2.0/login_success', ['GET'], 'page', (request, reply, params) => {
    const html = renderDocument(
      LoginSuccessPage({
        ctx: pageContext(request),
        code: single(params, 'code'),
        error: single(params, 'error'),
        errorDescription: single(params, 'error_description'),
      }),
    );
    return sendPage(request, reply.header('cache-control', 'no-store'), html);
  });

  // Liveness: the process answers. Readiness: the database answers too (load balancers use it).
  endpoint(app, '/health', ['GET'], 'json', async (_request, reply) => {
    try {
      await services.ready();
      return reply.header('cache-control', 'no-store').send({ status: 'ok', database: 'ok' });
    } catch {
      return reply.code(503).header('cache-control', 'no-store').send({ status: 'unavailable', database: 'unreachable' });
    }
  });
  endpoint(app, '/health/live', ['GET'], 'json', (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));
}
