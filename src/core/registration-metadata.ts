/**
 * Client metadata of dynamic registration (RFC 7591 §2, SPEC §9): what a
 * request may say, checked member by member, and the app it becomes. Every
 * refusal names the member: `invalid_redirect_uri` for redirect_uris,
 * `invalid_client_metadata` for the rest (RFC 7591 §3.2.2). Members the SPEC
 * does not list are ignored (RFC 7591 §2: "the authorization server MUST ignore
 * any client metadata sent by the client that it does not understand").
 */
import { AppInputError, validateAppInput, type AppInput } from './apps.js';
import { oauthError, type OAuthError } from './errors.js';
import type { App, GrantTypeName, ResponseTypeName } from './model.js';
import { registrableDomain } from './redirect.js';

/** RFC 7591 §2 grant_types on the wire ↔ the app's grant types; `implicit` switches the token response types on. */
const WIRE_GRANTS: Record<string, GrantTypeName | 'implicit'> = {
  authorization_code: 'authorization_code',
  refresh_token: 'refresh_token',
  client_credentials: 'client_credentials',
  'urn:ietf:params:oauth:grant-type:device_code': 'device_code',
  implicit: 'implicit',
};
const GRANT_TO_WIRE: Record<GrantTypeName, string> = {
  authorization_code: 'authorization_code',
  refresh_token: 'refresh_token',
  client_credentials: 'client_credentials',
  device_code: 'urn:ietf:params:oauth:grant-type:device_code',
};
const IMPLICIT_RESPONSE_TYPES: readonly ResponseTypeName[] = ['token', 'id_token', 'id_token token'];

export const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

/** The members kept as registered but never acted on or shown (SPEC §9). */
export const KEPT_URI_MEMBERS = ['logo_uri', 'client_uri', 'policy_uri', 'tos_uri'] as const;
export const KEPT_TEXT_MEMBERS = ['software_id', 'software_version'] as const;

/** Root domain of an app whose redirect URIs are all loopback or custom-scheme (SPEC §9: "need none"); `.invalid` never resolves (RFC 2606). */
export const NO_ROOT_DOMAIN = 'registered.invalid';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);
const FORBIDDEN_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:', 'blob:', 'about:', 'filesystem:']);
const MAX_URI = 2000;
const MAX_LIST = 50;

export interface MetadataPolicy {
  /** GATEHOUSE_ALLOW_HTTP_REDIRECTS=1 (SPEC §2). */
  allowHttp: boolean;
}

/** What a registration request asks for, checked. */
export interface CheckedMetadata {
  input: AppInput;
  authMethod: AuthMethod;
  applicationType: 'web' | 'native';
  jwksUri: string | undefined;
  jwks: unknown;
  /** Kept members (registrationMetadata). */
  kept: Record<string, string>;
}

const metadataError = (description: string): OAuthError => oauthError('invalid_client_metadata', description);
const redirectError = (description: string): OAuthError => oauthError('invalid_redirect_uri', description);

function stringList(body: Record<string, unknown>, member: string, fail: (d: string) => OAuthError): string[] | undefined {
  const value = body[member];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) throw fail(`${member} must be an array of strings`);
  if (value.length > MAX_LIST) throw fail(`${member} may list at most ${MAX_LIST} values`);
  return value as string[];
}

function text(body: Record<string, unknown>, member: string, max: number): string | undefined {
  const value = body[member];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw metadataError(`${member} must be a string`);
  if (value.length > max) throw metadataError(`${member} must be at most ${max} characters`);
  return value;
}

/** An absolute http(s) URL without credentials or fragment (client_uri, logo_uri, jwks_uri, …). */
function webUri(body: Record<string, unknown>, member: string, httpsOnly: boolean): string | undefined {
  const value = text(body, member, MAX_URI);
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw metadataError(`${member} must be an absolute URL`);
  }
  if (httpsOnly ? url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) : url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw metadataError(`${member} must be an ${httpsOnly ? 'https' : 'http(s)'} URL`);
  }
  if (url.username !== '' || url.password !== '' || value.includes('#')) throw metadataError(`${member} must not carry user information or a fragment`);
  return value;
}

/**
 * One redirect URI (SPEC §2 as a registration: absolute, no fragment, no
 * wildcard, https or loopback http or a custom scheme); returns the
 * registrable domain it needs, or undefined for loopback and custom schemes.
 */
function redirectDomain(uri: string, policy: MetadataPolicy): string | undefined {
  if (uri.length > MAX_URI) throw redirectError(`redirect_uris: a URI is longer than ${MAX_URI} characters`);
  if (/[\x00-\x20\x7f]/.test(uri)) throw redirectError(`redirect_uris: ${JSON.stringify(uri)} contains spaces or control characters`);
  if (uri.includes('#')) throw redirectError(`redirect_uris: ${uri} has a fragment (RFC 6749 §3.1.2)`);
  if (uri.includes('*')) throw redirectError(`redirect_uris: ${uri} has a wildcard; list each URI exactly`);
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw redirectError(`redirect_uris: ${JSON.stringify(uri)} is not an absolute URI`);
  }
  if (FORBIDDEN_SCHEMES.has(url.protocol)) throw redirectError(`redirect_uris: the scheme ${url.protocol.slice(0, -1)} is not allowed`);
  if (url.username !== '' || url.password !== '') throw redirectError(`redirect_uris: ${uri} carries user information`);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined; // RFC 8252 §7.1 private-use scheme
  if (LOOPBACK_HOSTS.has(url.hostname)) {
    // RFC 8252 §7.3: loopback redirects are plain http (a certificate for 127.0.0.1 is no proof of anything).
    if (url.protocol === 'https:') throw redirectError(`redirect_uris: ${uri} is a loopback URI: use http (RFC 8252 §7.3)`);
    return undefined;
  }
  if (url.protocol === 'http:' && !policy.allowHttp) throw redirectError(`redirect_uris: ${uri} must use https (plain http is allowed only for loopback hosts)`);
  const domain = registrableDomain(url.hostname);
  if (domain === undefined) throw redirectError(`redirect_uris: the host of ${uri} has no registrable domain (an IP address or a public suffix)`);
  return domain;
}

/** SPEC §9: the root domain is the redirect URIs' one registrable domain. */
export function rootDomainOf(uris: string[], policy: MetadataPolicy): string {
  const domains = new Set<string>();
  for (const uri of uris) {
    const domain = redirectDomain(uri, policy);
    if (domain !== undefined) domains.add(domain);
  }
  if (domains.size > 1) throw redirectError(`redirect_uris span more than one root domain (${[...domains].sort().join(', ')}): register one app per domain`);
  return domains.size === 1 ? [...domains][0]! : NO_ROOT_DOMAIN;
}

function grantsOf(body: Record<string, unknown>): { grants: GrantTypeName[]; implicit: boolean } {
  const wire = stringList(body, 'grant_types', metadataError) ?? ['authorization_code'];
  const grants = new Set<GrantTypeName>();
  let implicit = false;
  for (const value of wire) {
    const grant = WIRE_GRANTS[value];
    if (grant === undefined) throw metadataError(`grant_types: ${JSON.stringify(value)} is not supported (use ${Object.keys(WIRE_GRANTS).join(', ')})`);
    if (grant === 'implicit') implicit = true;
    else grants.add(grant);
  }
  return { grants: [...grants], implicit };
}

/** RFC 7591 §2.1: grant_types and response_types must agree. */
function responseTypesOf(body: Record<string, unknown>, grants: GrantTypeName[], implicit: boolean): ResponseTypeName[] {
  const fallback: ResponseTypeName[] = [...(grants.includes('authorization_code') ? (['code'] as const) : []), ...(implicit ? (['token'] as const) : [])];
  const types = (stringList(body, 'response_types', metadataError) ?? fallback) as ResponseTypeName[];
  for (const type of types) {
    if (type === 'code' && !grants.includes('authorization_code')) throw metadataError('response_types: code needs the authorization_code grant in grant_types (RFC 7591 §2.1)');
    if (IMPLICIT_RESPONSE_TYPES.includes(type) && !implicit) throw metadataError(`response_types: ${type} needs implicit in grant_types (RFC 7591 §2.1)`);
  }
  if (grants.includes('authorization_code') && !types.includes('code')) throw metadataError('grant_types: authorization_code needs code in response_types (RFC 7591 §2.1)');
  if (implicit && !types.some((type) => IMPLICIT_RESPONSE_TYPES.includes(type))) throw metadataError('grant_types: implicit needs token in response_types (RFC 7591 §2.1)');
  return [...new Set(types)];
}

/** RFC 7591 §2: jwks is a JSON object (the CLI's JSON text form is not a registration's); its keys are checked with the app's settings. */
function jwksOf(body: Record<string, unknown>): unknown {
  const value = body['jwks'];
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw metadataError('jwks must be a JWK Set: {"keys": [ ... ]}');
  return value;
}

/** Checks a registration request's metadata (RFC 7591 §2, SPEC §9) and the app it would be. */
export function checkMetadata(raw: unknown, policy: MetadataPolicy, knownScopes: ReadonlySet<string>): CheckedMetadata {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw metadataError('the request body must be a JSON object of client metadata (RFC 7591 §3.1)');
  const body = raw as Record<string, unknown>;
  const { grants, implicit } = grantsOf(body);
  const responseTypes = responseTypesOf(body, grants, implicit);
  const redirectUris = stringList(body, 'redirect_uris', redirectError) ?? [];
  if (responseTypes.length > 0 && redirectUris.length === 0) throw redirectError('redirect_uris is required for the authorization_code and implicit grants');
  const rootDomain = rootDomainOf(redirectUris, policy);

  const authMethod = (text(body, 'token_endpoint_auth_method', 40) ?? 'client_secret_basic') as AuthMethod;
  if (!AUTH_METHODS.includes(authMethod)) throw metadataError(`token_endpoint_auth_method must be one of ${AUTH_METHODS.join(', ')}`);
  const isPublic = authMethod === 'none';
  if (isPublic && grants.includes('client_credentials')) throw metadataError('client_credentials needs a confidential client: token_endpoint_auth_method none cannot use it (RFC 6749 §4.4)');

  const jwksUri = webUri(body, 'jwks_uri', true);
  const jwks = jwksOf(body);

  const applicationType = text(body, 'application_type', 10) ?? 'web';
  if (applicationType !== 'web' && applicationType !== 'native') throw metadataError('application_type must be web or native');

  const scope = text(body, 'scope', 1000);
  const scopes = scope === undefined ? undefined : scope.split(' ').filter((name) => name !== '');
  const kept: Record<string, string> = {};
  for (const member of KEPT_URI_MEMBERS) {
    const value = webUri(body, member, false);
    if (value !== undefined) kept[member] = value;
  }
  for (const member of KEPT_TEXT_MEMBERS) {
    const value = text(body, member, 255);
    if (value !== undefined) kept[member] = value;
  }
  const name = text(body, 'client_name', 100);
  const backchannel = text(body, 'backchannel_logout_uri', MAX_URI);
  const input: AppInput = {
    // RFC 7591 §2: client_name is optional; the consent page then names the redirect host.
    name: name === undefined || name.trim() === '' ? (rootDomain === NO_ROOT_DOMAIN ? 'Unnamed app' : rootDomain) : name,
    rootDomain,
    redirectUris,
    grantTypes: grants,
    responseTypes,
    isPublic,
    postLogoutRedirectUris: stringList(body, 'post_logout_redirect_uris', metadataError) ?? [],
    backchannelLogoutUri: backchannel ?? null,
    // Left out, the method is RFC 7591's default client_secret_basic on the wire, and the app takes Basic or
    // post as an operator's app does (null); named, it is the only one accepted (SPEC §8).
    tokenEndpointAuthMethod: body['token_endpoint_auth_method'] === undefined ? null : authMethod,
    jwks,
    jwksUri: jwksUri ?? null,
    ...(scopes === undefined ? {} : { scopes }),
  };
  try {
    validateAppInput(input, knownScopes);
  } catch (error) {
    if (!(error instanceof AppInputError)) throw error;
    throw error.field === 'redirect_uris' ? redirectError(error.message) : metadataError(error.field === 'scopes' ? `scope: ${error.message}` : error.message);
  }
  return { input, authMethod, applicationType, jwksUri, jwks, kept };
}

/** The metadata as registered (RFC 7591 §3.2.1), from the app as stored. */
export function registeredMetadata(app: App): Record<string, unknown> {
  const authMethod = app.tokenEndpointAuthMethod ?? (app.isPublic ? 'none' : 'client_secret_basic');
  const grantTypes = app.grantTypes.map((grant) => GRANT_TO_WIRE[grant]);
  if (app.responseTypes.some((type) => IMPLICIT_RESPONSE_TYPES.includes(type))) grantTypes.push('implicit');
  const extra = app.registrationMetadata ?? {};
  const { application_type: applicationType, ...kept } = extra;
  return {
    client_name: app.name,
    redirect_uris: app.redirectUris,
    grant_types: grantTypes,
    response_types: app.responseTypes,
    token_endpoint_auth_method: authMethod,
    scope: app.scopes.join(' '),
    application_type: applicationType ?? 'web',
    ...(app.postLogoutRedirectUris.length > 0 ? { post_logout_redirect_uris: app.postLogoutRedirectUris } : {}),
    ...(app.backchannelLogoutUri !== null ? { backchannel_logout_uri: app.backchannelLogoutUri } : {}),
    ...(app.jwksUri !== null ? { jwks_uri: app.jwksUri } : {}),
    ...(app.jwks !== null ? { jwks: app.jwks } : {}),
    ...kept,
  };
}
