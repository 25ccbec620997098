/** The error reference: a page per error code, in English and Chinese (SPEC §4: every error_uri points here). */
import { ERROR_CODES, isErrorCode } from '../../core/errors.js';
import { renderDocument } from '../../views/layout.js';
import { ErrorIndexPage, ErrorPage } from '../../views/oauth-pages.js';
import type { RouteModule } from '../context.js';
import { endpoint } from '../endpoint.js';
import { TransportError } from '../errors.js';
import { pageContext } from '../page-context.js';
import { sendPage } from '../send-page.js';

export const ERROR_REFERENCE_PATH = '/oauth/2.0/errors';

export const errorReferencePages: RouteModule = async (app) => {
  endpoint(app, ERROR_REFERENCE_PATH, ['GET'], 'page', (request, reply) =>
    sendPage(request, reply, renderDocument(ErrorIndexPage({ ctx: pageContext(request), codes: ERROR_CODES }))),
  );
  endpoint(app, `${ERROR_REFERENCE_PATH}/:code`, ['GET'], 'page', (request, reply) => {
    const code = (request.params as { code: string }).code;
    if (!isErrorCode(code)) throw new TransportError(404, `there is no error code ${code}`);
    return sendPage(request, reply, renderDocument(ErrorPage({ ctx: pageContext(request), code })));
  });
};
