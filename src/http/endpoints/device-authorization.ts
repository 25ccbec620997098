/** RFC 8628 §3.1–3.2 device authorization at /oauth/2.0/device/code: both dialects at once (SPEC §1). */
import { requestDeviceAuthorization } from '../../core/device.js';
import { OAuthError } from '../../core/errors.js';
import type { RouteModule } from '../context.js';
import { endpoint } from '../endpoint.js';
import { JSON_TYPE, sendJsonError } from '../errors.js';

export const DEVICE_AUTHORIZATION_PATH = '/oauth/2.0/device/code';

export const deviceAuthorizationEndpoint: RouteModule = async (app, { services }) => {
  const { config, stores } = services;

  endpoint(app, DEVICE_AUTHORIZATION_PATH, ['GET', 'POST'], 'json', async (request, reply, params) => {
    try {
      const response = await requestDeviceAuthorization(
        { apps: stores.apps, devices: stores.devices, lifetimes: config.lifetimes, knownScopes: services.knownScopes, issuer: config.issuer, now: services.clock.now() },
        { authorization: request.headers.authorization, params },
      );
      // The device code is a credential: never cached (as RFC 6749 §5.1 says of tokens).
      return reply.header('content-type', JSON_TYPE).header('cache-control', 'no-store').header('pragma', 'no-cache').send(JSON.stringify(response));
    } catch (error) {
      if (error instanceof OAuthError) return sendJsonError(services, request, reply, error, 'device');
      throw error;
    }
  });
};
