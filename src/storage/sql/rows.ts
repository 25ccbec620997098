/** Row ↔ model mapping, once, for every SQL dialect (PostgreSQL hands BIGINT back as strings). */
import type { AccessTokenFormat, App, AppRegistration, AuthorizationCode, ClientJwks, GrantTypeName, NewToken, ResponseTypeName, SignInContext, SigningAlg, SubjectType, TokenEndpointAuthMethod, TokenRecord } from '../../core/model.js';
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { AuthorizationCodesTable, ClientsTable } from './schema.js';

const num = (value: unknown): number => Number(value);
const numOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
const list = (value: string): string[] => (value === '' ? [] : value.split(' '));

// A response type may itself hold a space (`id_token token`): stored as `id_token+token`.
const responseTypesFromColumn = (value: string): ResponseTypeName[] => list(value).map((type) => type.replace('+', ' ') as ResponseTypeName);
const responseTypesToColumn = (types: readonly ResponseTypeName[]): string => types.map((type) => type.replace(' ', '+')).join(' ');

export function appFromRow(row: Selectable<ClientsTable>): App {
  return {
    clientId: row.client_id,
    secretHash: row.secret_hash,
    name: row.name,
    rootDomain: row.root_domain,
    redirectUris: JSON.parse(row.redirect_uris) as string[],
    grantTypes: list(row.grant_types) as GrantTypeName[],
    responseTypes: responseTypesFromColumn(row.response_types),
    scopes: list(row.scopes),
    isPublic: num(row.is_public) === 1,
    isResourceServer: num(row.is_resource_server) === 1,
    isAdmin: num(row.is_admin) === 1,
    disabled: num(row.disabled) === 1,
    ownerUid: row.owner_uid,
    subjectType: row.subject_type as SubjectType,
    idTokenAlg: row.id_token_alg as SigningAlg,
    postLogoutRedirectUris: JSON.parse(row.post_logout_redirect_uris) as string[],
    backchannelLogoutUri: row.backchannel_logout_uri,
    requireDpop: num(row.require_dpop) === 1,
    createdAt: num(row.created_at),
    tokenEndpointAuthMethod: (row.token_endpoint_auth_method ?? null) as TokenEndpointAuthMethod | null,
    jwks: row.jwks ? (JSON.parse(row.jwks) as ClientJwks) : null,
    jwksUri: row.jwks_uri ?? null,
    sealedSecret: row.sealed_secret ?? null,
    requirePar: num(row.require_par) === 1,
    // SPEC §8.
    resources: JSON.parse(row.resources) as string[],
    accessTokenFormat: row.access_token_format as AccessTokenFormat,
    ...registrationFromRow(row),
    refreshGrace: num(row.refresh_grace),
  };
}

export function appToRow(app: App, now: number): Insertable<ClientsTable> {
  return {
    client_id: app.clientId,
    secret_hash: app.secretHash,
    name: app.name,
    root_domain: app.rootDomain,
    redirect_uris: JSON.stringify(app.redirectUris),
    grant_types: app.grantTypes.join(' '),
    response_types: responseTypesToColumn(app.responseTypes),
    scopes: app.scopes.join(' '),
    is_public: app.isPublic ? 1 : 0,
    is_resource_server: app.isResourceServer ? 1 : 0,
    disabled: app.disabled ? 1 : 0,
    owner_uid: app.ownerUid,
    created_at: app.createdAt,
    updated_at: now,
    is_admin: app.isAdmin ? 1 : 0,
    subject_type: app.subjectType,
    id_token_alg: app.idTokenAlg,
    post_logout_redirect_uris: JSON.stringify(app.postLogoutRedirectUris),
    backchannel_logout_uri: app.backchannelLogoutUri,
    require_dpop: app.requireDpop ? 1 : 0,
    token_endpoint_auth_method: app.tokenEndpointAuthMethod,
    jwks: app.jwks === null ? null : JSON.stringify(app.jwks),
    jwks_uri: app.jwksUri,
    sealed_secret: app.sealedSecret,
    require_par: app.requirePar ? 1 : 0,
    // SPEC §8.
    resources: JSON.stringify(app.resources),
    access_token_format: app.accessTokenFormat,
    ...registrationToRow(app),
    refresh_grace: app.refreshGrace,
  };
}

// --- Apps that register themselves (SPEC §9): present only on such apps, so other apps read exactly as before ---
function registrationFromRow(row: Selectable<ClientsTable>): Partial<App> {
  if (row.registration === null || row.registration === undefined) return {};
  return {
    registration: row.registration as AppRegistration,
    registrationTokenHash: row.registration_token_hash,
    registrationMetadata: row.registration_metadata ? (JSON.parse(row.registration_metadata) as Record<string, string>) : null,
    lastUsedAt: numOrNull(row.last_used_at),
  };
}

function registrationToRow(app: Partial<App>): Updateable<ClientsTable> {
  const row: Updateable<ClientsTable> = {};
  if (app.registration !== undefined) row.registration = app.registration;
  if (app.registrationTokenHash !== undefined) row.registration_token_hash = app.registrationTokenHash;
  if (app.registrationMetadata !== undefined) row.registration_metadata = app.registrationMetadata === null ? null : JSON.stringify(app.registrationMetadata);
  if (app.lastUsedAt !== undefined) row.last_used_at = app.lastUsedAt;
  return row;
}

/** The columns a partial app update touches. */
export function appPatchToRow(patch: Partial<App>): Updateable<ClientsTable> {
  const row: Updateable<ClientsTable> = {};
  if (patch.secretHash !== undefined) row.secret_hash = patch.secretHash;
  if (patch.name !== undefined) row.name = patch.name;
  if (patch.rootDomain !== undefined) row.root_domain = patch.rootDomain;
  if (patch.redirectUris !== undefined) row.redirect_uris = JSON.stringify(patch.redirectUris);
  if (patch.grantTypes !== undefined) row.grant_types = patch.grantTypes.join(' ');
  if (patch.responseTypes !== undefined) row.response_types = responseTypesToColumn(patch.responseTypes);
  if (patch.scopes !== undefined) row.scopes = patch.scopes.join(' ');
  if (patch.isPublic !== undefined) row.is_public = patch.isPublic ? 1 : 0;
  if (patch.isResourceServer !== undefined) row.is_resource_server = patch.isResourceServer ? 1 : 0;
  if (patch.disabled !== undefined) row.disabled = patch.disabled ? 1 : 0;
  if (patch.ownerUid !== undefined) row.owner_uid = patch.ownerUid;
  if (patch.isAdmin !== undefined) row.is_admin = patch.isAdmin ? 1 : 0;
  if (patch.subjectType !== undefined) row.subject_type = patch.subjectType;
  if (patch.idTokenAlg !== undefined) row.id_token_alg = patch.idTokenAlg;
  if (patch.postLogoutRedirectUris !== undefined) row.post_logout_redirect_uris = JSON.stringify(patch.postLogoutRedirectUris);
  if (patch.backchannelLogoutUri !== undefined) row.backchannel_logout_uri = patch.backchannelLogoutUri;
  if (patch.requireDpop !== undefined) row.require_dpop = patch.requireDpop ? 1 : 0;
  if (patch.tokenEndpointAuthMethod !== undefined) row.token_endpoint_auth_method = patch.tokenEndpointAuthMethod;
  if (patch.jwks !== undefined) row.jwks = patch.jwks === null ? null : JSON.stringify(patch.jwks);
  if (patch.jwksUri !== undefined) row.jwks_uri = patch.jwksUri;
  if (patch.sealedSecret !== undefined) row.sealed_secret = patch.sealedSecret;
  if (patch.requirePar !== undefined) row.require_par = patch.requirePar ? 1 : 0;
  // SPEC §8.
  if (patch.resources !== undefined) row.resources = JSON.stringify(patch.resources);
  if (patch.accessTokenFormat !== undefined) row.access_token_format = patch.accessTokenFormat;
  Object.assign(row, registrationToRow(patch));
  if (patch.refreshGrace !== undefined) row.refresh_grace = patch.refreshGrace;
  return row;
}

export function codeFromRow(row: AuthorizationCodesTable): AuthorizationCode {
  return {
    id: num(row.id),
    secretHash: row.secret_hash,
    clientId: row.client_id,
    uid: row.uid,
    redirectUri: row.redirect_uri,
    scope: list(row.scope),
    codeChallenge: row.code_challenge,
    codeChallengeMethod: row.code_challenge_method as AuthorizationCode['codeChallengeMethod'],
    familyId: num(row.family_id),
    createdAt: num(row.created_at),
    expiresAt: num(row.expires_at),
    consumedAt: numOrNull(row.consumed_at),
    replayedAt: numOrNull(row.replayed_at),
    signIn: signInFromColumn(row.sign_in),
    ...resourcesFromColumn(row.resources),
  };
}

/** RFC 8707 resources, space-separated (URIs hold no space); null or '' for none, read back as absent. */
export function resourcesFromColumn(column: string | null | undefined): { resources?: string[] } {
  return column ? { resources: column.split(' ') } : {};
}

export function resourcesToColumn(resources: readonly string[] | undefined): string | null {
  return resources === undefined || resources.length === 0 ? null : resources.join(' ');
}

export function signInFromColumn(column: string | null | undefined): SignInContext | null {
  return column ? (JSON.parse(column) as SignInContext) : null;
}

export function signInToColumn(signIn: SignInContext | null): string | null {
  return signIn === null ? null : JSON.stringify(signIn);
}

export interface TokenRow {
  id: number;
  kind: string;
  secret_hash: string;
  client_id: string;
  uid: string | null;
  scope: string;
  family_id: number | null;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
  consumed_at: number | null;
  /** Added by 2026-12-01-31-dpop. */
  jkt?: string | null;
  audience: string | null;
}

export function tokenFromRow(row: TokenRow): TokenRecord {
  return {
    id: num(row.id),
    kind: row.kind as TokenRecord['kind'],
    secretHash: row.secret_hash,
    clientId: row.client_id,
    uid: row.uid,
    scope: list(row.scope),
    familyId: numOrNull(row.family_id),
    createdAt: num(row.created_at),
    expiresAt: num(row.expires_at),
    revokedAt: numOrNull(row.revoked_at),
    consumedAt: numOrNull(row.consumed_at),
    jkt: row.jkt ?? null,
    ...(row.audience ? { audience: row.audience.split(' ') } : {}),
  };
}

/** A token row as inserted: revoked_at and consumed_at start null. */
export type NewTokenRow = Omit<TokenRow, 'revoked_at' | 'consumed_at'>;

export function tokenToRow(id: number, token: NewToken): NewTokenRow {
  return {
    id,
    kind: token.kind,
    secret_hash: token.secretHash,
    client_id: token.clientId,
    uid: token.uid,
    scope: token.scope.join(' '),
    family_id: token.familyId,
    created_at: token.createdAt,
    expires_at: token.expiresAt,
    // Only a bound token names the column: an unbound row's insert stays as it was (the hot path).
    ...(token.jkt === null ? {} : { jkt: token.jkt }),
    audience: resourcesToColumn(token.audience),
  };
}
