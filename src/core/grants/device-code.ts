/**
 * Polling for a device authorization (RFC 8628 §3.4), under both names the
 * token endpoint accepts (SPEC §1): Baidu's `device_token` with `code`, and
 * RFC 8628's grant type with `device_code`. They differ only in the parameter
 * and in what a declined authorization answers.
 */
import { pollDevice } from '../device.js';
import { required } from '../params.js';
import type { Grant } from './types.js';

function deviceGrant(grantType: string, parameter: 'code' | 'device_code', declined: 'authorization_declined' | 'access_denied'): Grant {
  return {
    grantType,
    enabledBy: 'device_code',
    // RFC 8628 §3.4: devices are often public clients; confidential ones authenticate here.
    allowsPublic: true,
    exchange(deps, { app, params, now }) {
      const presented = required(params, parameter);
      const { devices, tokens, users } = deps.stores;
      return pollDevice({ devices, tokens, users, openid: deps.openid, lifetimes: deps.lifetimes }, { app, presented, parameter, declined, now, params });
    },
  };
}

/** Baidu's dialect: a declined authorization answers authorization_declined. */
export const baiduDeviceGrant = deviceGrant('device_token', 'code', 'authorization_declined');

/** RFC 8628 §3.5: a declined authorization answers access_denied. */
export const rfcDeviceGrant = deviceGrant('urn:ietf:params:oauth:grant-type:device_code', 'device_code', 'access_denied');
