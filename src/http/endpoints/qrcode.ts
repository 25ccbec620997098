/**
 * /oauth/2.0/qrcode: an image (PNG or SVG) of a pending device authorization's
 * verification_uri_complete, for the device to display (SPEC §1).
 */
import type { FastifyReply } from 'fastify';
import { findPendingDevice, verificationUris } from '../../core/device.js';
import { oauthError } from '../../core/errors.js';
import { single } from '../../core/params.js';
import { formatUserCode, normaliseUserCode } from '../../core/user-code.js';
import type { RouteModule, Services } from '../context.js';
import { endpoint } from '../endpoint.js';
import { errorUri, JSON_TYPE, TransportError } from '../errors.js';
import { UserCodeGuard } from '../user-code-guard.js';

export const QRCODE_PATH = '/oauth/2.0/qrcode';

const QR_FORMATS = ['png', 'svg'] as const;

function tooManyGuesses(services: Services, reply: FastifyReply, retryAfter: number): FastifyReply {
  return reply
    .code(429)
    .header('retry-after', String(retryAfter))
    .header('content-type', JSON_TYPE)
    .header('cache-control', 'no-store')
    .send(
      JSON.stringify({
        error: 'invalid_request',
        error_description: `too many wrong user codes from this address; try again in ${retryAfter} seconds`,
        error_uri: errorUri(services.config.issuer, 'invalid_request'),
      }),
    );
}

/** Loaded on the first QR code: most instances rarely draw one, and it costs memory. */
const qrcode = async () => (await import('qrcode')).default;

export const qrcodeEndpoint: RouteModule = async (app, { services }) => {
  const { config, stores } = services;
  const guard = new UserCodeGuard(services.rateLimiter);

  // Identified by the user code, which the image itself shows: the URL reveals nothing the picture does not.
  endpoint(app, QRCODE_PATH, ['GET'], 'json', async (request, reply, params) => {
    const format = single(params, 'format') ?? 'png';
    if (!(QR_FORMATS as readonly string[]).includes(format)) throw oauthError('invalid_request', `format ${format} is not supported: use png or svg`);
    const typed = single(params, 'code');
    if (typed === undefined) throw oauthError('invalid_request', 'missing required parameter code (the user code)');

    const waitBefore = await guard.blocked(request);
    if (waitBefore !== undefined) return tooManyGuesses(services, reply, waitBefore);
    const device = await findPendingDevice(stores.devices, typed, services.clock.now());
    if (device === undefined) {
      const wait = await guard.wrong(request);
      if (wait !== undefined) return tooManyGuesses(services, reply, wait);
      throw new TransportError(404, 'no pending device authorization has this user code: it is wrong, expired or already used');
    }
    const target = verificationUris(config.issuer, formatUserCode(normaliseUserCode(typed)!)).complete;
    reply.header('cache-control', 'no-store');
    if (format === 'svg') {
      return reply.header('content-type', 'image/svg+xml').send(await (await qrcode()).toString(target, { type: 'svg', margin: 2 }));
    }
    return reply.header('content-type', 'image/png').send(await (await qrcode()).toBuffer(target, { type: 'png', margin: 2, width: 256 }));
  });
};
