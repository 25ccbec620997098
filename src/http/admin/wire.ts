/**
 * The JSON shapes of apps, users, events and failures, once: the admin API
 * answers them and the CLI's `--json` prints them (SPEC §10: the same names).
 */
import type { AuditEvent } from '../../core/audit.js';
import type { FailureRecord } from '../../core/failures.js';
import type { App, User } from '../../core/model.js';
import type { SigningKeyInfo } from '../../core/signing.js';

const iso = (ms: number) => new Date(ms).toISOString();

export function appJson(app: App) {
  return {
    client_id: app.clientId,
    name: app.name,
    root_domain: app.rootDomain,
    redirect_uris: app.redirectUris,
    grant_types: app.grantTypes,
    response_types: app.responseTypes,
    scopes: app.scopes,
    public: app.isPublic,
    resource_server: app.isResourceServer,
    admin: app.isAdmin,
    disabled: app.disabled,
    owner_uid: app.ownerUid,
    subject_type: app.subjectType,
    id_token_signed_response_alg: app.idTokenAlg,
    post_logout_redirect_uris: app.postLogoutRedirectUris,
    backchannel_logout_uri: app.backchannelLogoutUri,
    // SPEC §8 (RFC 7591 §2, RFC 9126 §6 names); never the Secret Key, sealed or not.
    token_endpoint_auth_method: app.tokenEndpointAuthMethod,
    jwks: app.jwks,
    jwks_uri: app.jwksUri,
    require_pushed_authorization_requests: app.requirePar,
    resources: app.resources,
    access_token_format: app.accessTokenFormat,
    require_dpop: app.requireDpop,
    refresh_grace: app.refreshGrace,
    // SPEC §9: how the app came to be (read only).
    registration: app.registration ?? null,
    created_at: iso(app.createdAt),
  };
}

export function userJson(user: User) {
  return {
    uid: user.uid,
    username: user.username,
    email: user.email ?? null,
    name: user.name ?? null,
    email_verified: user.emailVerified,
    disabled: user.disabled === true,
    created_at: iso(user.createdAt),
  };
}

export function eventJson(event: AuditEvent) {
  return {
    id: String(event.id),
    at: iso(event.at),
    actor: event.actor,
    action: event.action,
    target: event.target,
    address: event.address,
    request_id: event.requestId,
  };
}

export function failureJson(failure: FailureRecord) {
  return {
    at: iso(failure.at),
    endpoint: failure.endpoint,
    error: failure.code,
    error_description: failure.description,
    detail: failure.detail ?? null,
    request_id: failure.requestId,
  };
}

/** A published signing key (SPEC §7 "Keys"): never any key material, public or private (the JWKS has the public part). */
export function keyJson(key: SigningKeyInfo) {
  return { kid: key.kid, alg: key.alg, state: key.state, created_at: iso(key.createdAt), activates_at: iso(key.activatesAt) };
}
