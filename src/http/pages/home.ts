/** The home page, and the static assets every page links. */
import { renderDocument } from '../../views/layout.js';
import { HomePage } from '../../views/account-pages.js';
import { STYLESHEET } from '../../views/style.js';
import type { RouteModule } from '../context.js';
import { endpoint } from '../endpoint.js';
import { pageContext } from '../page-context.js';
import { sendPage } from '../send-page.js';
import { csrfFor, currentUser } from '../sign-in.js';

export const HOME_PATH = '/';
export const STYLESHEET_PATH = '/static/gatehouse.css';
export const COPY_SCRIPT_PATH = '/static/copy.js';
export const FORM_POST_SCRIPT_PATH = '/static/form-post.js';

/** The copy buttons (login_success code, console Secret Key): progressive enhancement, the text is on the page anyway. */
const COPY_SCRIPT = `document.addEventListener('click',function(e){var b=e.target.closest('[data-copy-target]');if(!b)return;var t=document.getElementById(b.getAttribute('data-copy-target'));if(!t||!navigator.clipboard)return;navigator.clipboard.writeText(t.textContent.trim()).then(function(){var d=b.getAttribute('data-copied');if(d)b.textContent=d;});});`;

/** Form Post Response Mode: submits the response form once; the page's button does the same without script. */
const FORM_POST_SCRIPT = `(function(){var f=document.querySelector('form[data-auto-submit]');if(f)HTMLFormElement.prototype.submit.call(f);})();`;

export const homePages: RouteModule = async (app, { services }) => {
  endpoint(app, HOME_PATH, ['GET'], 'page', async (request, reply) => {
    const signedIn = await currentUser(services, request);
    const user = signedIn && { username: signedIn.user.username, csrfToken: csrfFor(services, request, reply) };
    if (user) reply.header('cache-control', 'no-store');
    return sendPage(request, reply, renderDocument(HomePage({ ctx: pageContext(request), user, allowSignup: services.config.allowSignup })));
  });

  endpoint(app, STYLESHEET_PATH, ['GET'], 'page', (_request, reply) =>
    reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(STYLESHEET),
  );
  endpoint(app, COPY_SCRIPT_PATH, ['GET'], 'page', (_request, reply) =>
    reply.header('content-type', 'text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(COPY_SCRIPT),
  );
  endpoint(app, FORM_POST_SCRIPT_PATH, ['GET'], 'page', (_request, reply) =>
    reply.header('content-type', 'text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(FORM_POST_SCRIPT),
  );
};
