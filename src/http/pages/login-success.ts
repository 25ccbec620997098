/**
 * Where redirect_uri=oob lands (SPEC §1): the code in data-code and in <title>, for a person to copy.
 * POST too: an oob request with response_mode=form_post posts its response here.
 */
import { single } from '../../core/params.js';
import { renderDocument } from '../../views/layout.js';
import { LoginSuccessPage } from '../../views/oauth-pages.js';
import type { RouteModule } from '../context.js';
import { endpoint } from '../endpoint.js';
import { pageContext } from '../page-context.js';
import { sendPage } from '../send-page.js';

export const LOGIN_SUCCESS_PATH = '/oauth/2.0/login_success';

export const loginSuccessPage: RouteModule = async (app) => {
  endpoint(app, LOGIN_SUCCESS_PATH, ['GET', 'POST'], 'page', (request, reply, params) => {
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
};
