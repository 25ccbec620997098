/** Form bodies only (RFC 6749 §3.2); any other content type is a clean invalid_request, not a 415 or 500. */
import type { FastifyInstance } from 'fastify';
import { oauthError } from '../core/errors.js';
import { FormError, parseFormBuffer } from './form.js';

export function installBodyParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (_request, body, done) => {
    try {
      done(null, parseFormBuffer(body as Buffer));
    } catch (error) {
      done(error instanceof FormError ? oauthError('invalid_request', error.message) : (error as Error), undefined);
    }
  });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, _body, done) => {
    done(oauthError('invalid_request', `Content-Type ${request.headers['content-type'] ?? '(none)'} is not supported: send application/x-www-form-urlencoded`), undefined);
  });
}
