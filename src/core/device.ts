/**
 * The device authorization grant (RFC 8628), in Baidu's dialect and the RFC's
 * at once (SPEC §1): the device authorization request, the polling decision at
 * the token endpoint, and the lookup the verification page makes.
 */
import { authenticateClient, parseBasic, type ClientCredentialsInput } from './client-auth.js';
import { OAuthError, oauthError, type ErrorCode } from './errors.js';
import { issueTokens, type TokenResponse } from './issue.js';
import { isOpenIdScope, issueOpenIdTokens, mayRefresh, type OpenIdServices } from './openid-tokens.js';
import type { App, DeviceAuthorization, Lifetimes } from './model.js';
import { single, type Params } from './params.js';
import type { AppStore, DeviceStore, TokenStore, UserStore } from './ports.js';
import { narrowResources, requestedResources } from './resources.js';
import { resolveScope } from './scopes.js';
import { formatToken, hashSecret, mintSecret, parseToken, secretMatches } from './tokens.js';
import { formatUserCode, hashUserCode, mintUserCode, normaliseUserCode } from './user-code.js';

/** RFC 8628 §3.5: each slow_down raises the interval the device must keep by 5 seconds. */
export const SLOW_DOWN_SECONDS = 5;

/** A user code that collides with a live one is drawn again; five collisions in a row means something is wrong. */
const USER_CODE_ATTEMPTS = 5;

export interface DeviceAuthorizationResponse {
  device_code: string;
  user_code: string;
  verification_url: string;
  verification_uri: string;
  verification_uri_complete: string;
  qrcode_url: string;
  expires_in: number;
  interval: number;
}

export interface DeviceRequestDeps {
  apps: Pick<AppStore, 'findApp'>;
  devices: Pick<DeviceStore, 'saveDevice'>;
  lifetimes: Lifetimes;
  knownScopes(): Promise<ReadonlySet<string>>;
  issuer: string;
  now: number;
}

/** The verification page (SPEC §1) and its `?code=` form, RFC 8628 §3.3.1. */
export function verificationUris(issuer: string, userCode: string): { page: string; complete: string; qrcode: string } {
  const query = `code=${encodeURIComponent(userCode)}`;
  return { page: `${issuer}/oauth/2.0/device`, complete: `${issuer}/oauth/2.0/device?${query}`, qrcode: `${issuer}/oauth/2.0/qrcode?${query}` };
}

/**
 * Who asks. Baidu's device endpoint takes client_id alone, even for
 * confidential apps (they authenticate when they poll); a secret that is sent
 * must be right (SPEC §1).
 */
async function identifyClient(apps: Pick<AppStore, 'findApp'>, input: ClientCredentialsInput): Promise<App> {
  if (parseBasic(input.authorization) !== undefined || single(input.params, 'client_secret') !== undefined) {
    return authenticateClient(apps, input);
  }
  const clientId = single(input.params, 'client_id');
  if (clientId === undefined) throw oauthError('invalid_request', 'missing required parameter client_id');
  const app = await apps.findApp(clientId);
  if (app === undefined) throw oauthError('invalid_client', `unknown client_id ${clientId}`);
  if (app.disabled) {
    const error = oauthError('invalid_client', 'this app is disabled');
    error.clientId = clientId;
    throw error;
  }
  return app;
}

/** RFC 8628 §3.1–3.2: a device code for the device, a user code for the person. */
export async function requestDeviceAuthorization(deps: DeviceRequestDeps, input: ClientCredentialsInput): Promise<DeviceAuthorizationResponse> {
  const app = await identifyClient(deps.apps, input);
  try {
    const responseType = single(input.params, 'response_type');
    if (responseType !== undefined && responseType !== 'device_code') {
      throw oauthError('unsupported_response_type', `response_type ${responseType} is not supported at the device endpoint: send device_code or leave it out`);
    }
    if (!app.grantTypes.includes('device_code')) {
      throw oauthError('unauthorized_client', 'this app has not enabled the device_code grant');
    }
    const scope = resolveScope(single(input.params, 'scope'), app, await deps.knownScopes());
    // RFC 8707 §2 (SPEC §8): the device authorization keeps the resources, as a code does.
    const resources = requestedResources(input.params, app);
    const { lifetimes, now } = deps;
    for (let attempt = 0; attempt < USER_CODE_ATTEMPTS; attempt++) {
      const userCode = mintUserCode();
      const secret = mintSecret();
      const id = await deps.devices.saveDevice({
        secretHash: hashSecret(secret),
        userCodeHash: hashUserCode(userCode),
        clientId: app.clientId,
        scope,
        interval: lifetimes.devicePollInterval,
        createdAt: now,
        expiresAt: now + lifetimes.deviceCode * 1000,
        ...(resources.length > 0 ? { resources } : {}),
      });
      if (id === undefined) continue;
      const shown = formatUserCode(userCode);
      const uris = verificationUris(deps.issuer, shown);
      return {
        device_code: formatToken(id, secret),
        user_code: shown,
        verification_url: uris.page,
        verification_uri: uris.page,
        verification_uri_complete: uris.complete,
        qrcode_url: uris.qrcode,
        expires_in: lifetimes.deviceCode,
        interval: lifetimes.devicePollInterval,
      };
    }
    throw oauthError('server_error', 'the server could not draw a free user code; try again', 'user code collided five times');
  } catch (error) {
    if (error instanceof OAuthError) error.clientId ??= app.clientId;
    throw error;
  }
}

export interface PollDeps {
  devices: Pick<DeviceStore, 'findDevice' | 'recordPoll' | 'consumeDevice'>;
  tokens: Pick<TokenStore, 'issueTokens' | 'saveSignIn'>;
  users: Pick<UserStore, 'findUserByUid'>;
  openid: OpenIdServices;
  lifetimes: Lifetimes;
}

export interface PollRequest {
  app: App;
  /** The device code as presented, and the name of the parameter that carried it (for the description). */
  presented: string;
  parameter: 'code' | 'device_code';
  /** What a declined authorization answers: Baidu's authorization_declined or RFC 8628's access_denied. */
  declined: Extract<ErrorCode, 'authorization_declined' | 'access_denied'>;
  now: number;
  /** The poll's parameters: `resource` may narrow the access token (RFC 8707 §2.2). */
  params?: Params;
}

/** RFC 8628 §3.4–3.5: one poll of the token endpoint. */
export async function pollDevice(deps: PollDeps, request: PollRequest): Promise<TokenResponse> {
  const { app, parameter, now } = request;
  const parsed = parseToken(request.presented);
  const device = parsed && (await deps.devices.findDevice(parsed.id));
  if (!parsed || !device || !secretMatches(parsed.secret, device.secretHash)) {
    throw oauthError('invalid_grant', `${parameter} is unknown`);
  }
  if (device.clientId !== app.clientId) throw oauthError('invalid_grant', `${parameter} was issued to another app`);
  if (device.consumedAt !== null) throw oauthError('invalid_grant', `${parameter} has already been exchanged for tokens`);
  if (device.expiresAt <= now) throw oauthError('expired_token', `${parameter} has expired: request a new one at the device endpoint`);

  // The server enforces the interval (SPEC §1), in one atomic store call so racing polls cannot both pass.
  const poll = await deps.devices.recordPoll(device.id, now, SLOW_DOWN_SECONDS);
  if (!poll.passed) {
    throw oauthError('slow_down', `polled sooner than interval seconds after the previous poll; wait at least ${poll.interval} seconds between polls from now on`);
  }
  if (device.status === 'pending') throw oauthError('authorization_pending', 'the user has not yet approved or declined on the verification page');
  if (device.status === 'denied') throw oauthError(request.declined, 'the user declined the authorization');
  const granted = device.resources ?? [];
  const audience = narrowResources(granted, request.params ?? {}, app);

  // Single use: one atomic statement decides which poll gets the tokens.
  if (!(await deps.devices.consumeDevice(device.id, now))) {
    throw oauthError('invalid_grant', `${parameter} has already been exchanged for tokens`);
  }
  // The device authorization's id names the token family, as a code's id does.
  const grant = { app, uid: device.uid, scope: device.scope, familyId: device.id, audience, refreshAudience: granted.length > 0 ? granted : audience };
  // SPEC §7: with openid, an id_token for the person who approved (their session's auth_time and sid).
  if (device.signIn !== null && device.uid !== null && isOpenIdScope(device.scope)) {
    return issueOpenIdTokens(
      { tokens: deps.tokens, users: deps.users, openid: deps.openid, lifetimes: deps.lifetimes, now },
      { ...grant, uid: device.uid, withRefresh: mayRefresh(device.scope), signIn: device.signIn, keepSignIn: true },
    );
  }
  return issueTokens({ tokens: deps.tokens, lifetimes: deps.lifetimes, now }, { ...grant, withRefresh: mayRefresh(device.scope) });
}

/**
 * What the verification page may act on: a pending, unexpired authorization
 * whose user code matches what the person typed; undefined otherwise (the page
 * then counts a wrong guess, RFC 8628 §5.1).
 */
export async function findPendingDevice(
  devices: Pick<DeviceStore, 'findDeviceByUserCode'>,
  typed: string,
  now: number,
): Promise<DeviceAuthorization | undefined> {
  const code = normaliseUserCode(typed);
  if (code === undefined) return undefined;
  const device = await devices.findDeviceByUserCode(hashUserCode(code));
  if (device === undefined || device.status !== 'pending' || device.consumedAt !== null || device.expiresAt <= now) return undefined;
  return device;
}
