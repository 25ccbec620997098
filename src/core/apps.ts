/**
 * Registering and changing apps: the one way, shared by the command line, the
 * developer console and the admin API. Every change takes the actor and writes
 * its audit event in the same transaction (core/audit.ts).
 */
import { auditEvent, commitChange, NotFoundError, type AppPatch, type AuditStore, type ChangeContext } from './audit.js';
import { ACCESS_TOKEN_FORMATS, APP_DEFAULTS, GRANT_TYPES, RESPONSE_TYPES, SIGNING_ALGS, SUBJECT_TYPES, type App, type GrantTypeName, type ResponseTypeName } from './model.js';
import type { AppStore, ClientKeys } from './ports.js';
import { checkClientAuthSettings, ClientAuthSettingError, type ClientAuthInput } from './client-auth-settings.js';
import { normaliseRootDomain, registrableDomain } from './redirect.js';
import { resourceProblem } from './resources.js';
import { ADMIN_SCOPE } from './scopes.js';
import { hashSecret, mintSecret, randomId } from './tokens.js';

export interface AppInput {
  name: string;
  rootDomain: string;
  redirectUris?: string[];
  grantTypes?: string[];
  responseTypes?: string[];
  scopes?: string[];
  isPublic?: boolean;
  isResourceServer?: boolean;
  /** `clients create --admin`: a confidential app whose only grant is client credentials and whose only scope is gatehouse:admin. */
  isAdmin?: boolean;
  ownerUid?: string | null;
  /** OpenID Connect (SPEC §7 "Apps"). */
  subjectType?: string | undefined;
  idTokenAlg?: string | undefined;
  postLogoutRedirectUris?: string[] | undefined;
  backchannelLogoutUri?: string | null | undefined;
  /** `--require-dpop` (SPEC §8): token requests without a DPoP proof are refused. */
  requireDpop?: boolean | undefined;
  /** JWT client authentication and PAR (SPEC §8), checked by core/client-auth-settings.ts. */
  tokenEndpointAuthMethod?: ClientAuthInput['tokenEndpointAuthMethod'];
  jwks?: ClientAuthInput['jwks'];
  jwksUri?: ClientAuthInput['jwksUri'];
  requirePar?: ClientAuthInput['requirePar'];
  /** SPEC §8: the RFC 8707 allow-list (`--resource U`) and the RFC 9068 access token format. */
  resources?: string[] | undefined;
  accessTokenFormat?: string | undefined;
  /** SPEC §8 refresh grace, seconds (`--refresh-grace`). */
  refreshGrace?: number | undefined;
}

export interface AppChangeDeps {
  audit: Pick<AuditStore, 'commit'>;
  /** Seals the Secret Key of a client_secret_jwt app (SPEC §8); needed only for such apps. */
  clientKeys?: Pick<ClientKeys, 'sealSecret'>;
}

/** A mistake in what an operator or developer asked for; the message says which field and why. */
export class AppInputError extends Error {
  constructor(
    message: string,
    /** The wire name of the field at fault, when one is (the admin API's problem names it). */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'AppInputError';
  }
}

function pick<T extends string>(values: string[] | undefined, allowed: readonly T[], what: string, field: string): T[] {
  if (values === undefined) return [...allowed];
  for (const value of values) {
    if (!(allowed as readonly string[]).includes(value)) {
      throw new AppInputError(`unknown ${what} ${JSON.stringify(value)}: use ${allowed.join(', ')}`, field);
    }
  }
  return [...new Set(values)] as T[];
}

/** A registered redirect URI must itself be usable: absolute, no fragment, no user info. */
function checkRegisteredUri(uri: string, rootDomain: string, what = 'redirect URI', field = 'redirect_uris'): string {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new AppInputError(`${what} ${JSON.stringify(uri)} is not an absolute URI`, field);
  }
  if (uri.includes('#')) throw new AppInputError(`${what} ${uri} must not have a fragment`, field);
  if (url.username !== '' || url.password !== '') throw new AppInputError(`${what} ${uri} must not carry user information`, field);
  if (['javascript:', 'data:', 'vbscript:', 'file:'].includes(url.protocol)) throw new AppInputError(`${what} ${uri} has a forbidden scheme`, field);
  const loopback = ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
  if ((url.protocol === 'https:' || url.protocol === 'http:') && !loopback && registrableDomain(url.hostname) !== rootDomain) {
    throw new AppInputError(`${what} ${uri} is not under the root domain ${rootDomain}`, field);
  }
  return uri;
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T, what: string, field: string): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new AppInputError(`unknown ${what} ${JSON.stringify(value)}: use ${allowed.join(', ')}`, field);
  return value as T;
}

/**
 * Back-Channel Logout §2.2: an absolute https URL without fragment that
 * Gatehouse POSTs to. Plain http is accepted for loopback hosts only; whether
 * a private or loopback address is ever fetched is the fetcher's rule
 * (GATEHOUSE_ALLOW_PRIVATE_FETCH), not this one's.
 */
function checkBackchannelUri(uri: string): string {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new AppInputError(`back-channel logout URI ${JSON.stringify(uri)} is not an absolute URI`, 'backchannel_logout_uri');
  }
  if (uri.includes('#')) throw new AppInputError(`back-channel logout URI ${uri} must not have a fragment`, 'backchannel_logout_uri');
  const loopback = ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new AppInputError(`back-channel logout URI ${uri} must be https (plain http only on a loopback host)`, 'backchannel_logout_uri');
  }
  return uri;
}

/** RFC 8707 §2: each resource an app may ask for is an absolute URI without a fragment. */
function checkResources(resources: string[] | undefined): string[] {
  return uniqueTrimmed(resources).map((resource) => {
    const problem = resourceProblem(resource);
    if (problem !== null) throw new AppInputError(`resource ${JSON.stringify(resource)} ${problem}`, 'resources');
    return resource;
  });
}

/** A day at most: the sealed answer is kept that long, and a longer window would weaken single use for nothing. */
export const MAX_REFRESH_GRACE = 86_400;

/** Seconds as typed (CLI flag, console field): a whole number, else NaN, which validateAppInput refuses naming refresh_grace. */
export function parseGraceSeconds(typed: string): number {
  return /^[0-9]+$/.test(typed.trim()) ? Number(typed.trim()) : Number.NaN;
}

function checkRefreshGrace(seconds: number | undefined): number {
  if (seconds === undefined) return APP_DEFAULTS.refreshGrace;
  if (!Number.isSafeInteger(seconds) || seconds < 0 || seconds > MAX_REFRESH_GRACE) {
    throw new AppInputError(`refresh grace must be a whole number of seconds from 0 to ${MAX_REFRESH_GRACE}`, 'refresh_grace');
  }
  return seconds;
}

const uniqueTrimmed = (values: string[] | undefined): string[] => [...new Set((values ?? []).map((value) => value.trim()).filter((value) => value !== ''))];

export function validateAppInput(input: AppInput, knownScopes: ReadonlySet<string>): Omit<App, 'clientId' | 'secretHash' | 'createdAt' | 'disabled' | 'sealedSecret'> {
  const isAdmin = input.isAdmin ?? false;
  const name = input.name.trim();
  if (name === '' || name.length > 100) throw new AppInputError('name must be 1 to 100 characters', 'name');
  let rootDomain: string;
  try {
    rootDomain = normaliseRootDomain(input.rootDomain);
  } catch (error) {
    throw new AppInputError((error as Error).message, 'root_domain');
  }
  const redirectUris = [...new Set((input.redirectUris ?? []).map((uri) => uri.trim()).filter((uri) => uri !== ''))].map((uri) =>
    checkRegisteredUri(uri, rootDomain),
  );
  const grantTypes: GrantTypeName[] = pick(input.grantTypes ?? (isAdmin ? ['client_credentials'] : undefined), GRANT_TYPES, 'grant type', 'grant_types');
  const responseTypes: ResponseTypeName[] = pick(input.responseTypes ?? (isAdmin ? [] : undefined), RESPONSE_TYPES, 'response type', 'response_types');
  const scopes = [...new Set(input.scopes ?? (isAdmin ? [ADMIN_SCOPE] : ['basic']))];
  if (scopes.length === 0) throw new AppInputError('an app needs at least one scope', 'scopes');
  for (const scope of scopes) {
    if (scope === ADMIN_SCOPE) {
      if (!isAdmin) throw new AppInputError(`scope ${ADMIN_SCOPE} is only for admin apps (clients create --admin)`, 'scopes');
    } else if (!knownScopes.has(scope)) throw new AppInputError(`unknown scope ${JSON.stringify(scope)}`, 'scopes');
  }
  if (isAdmin) {
    // SPEC §10: admin tokens come from client credentials only, so an admin app has no other grant, no browser flow, and a secret.
    if (input.isPublic) throw new AppInputError('an admin app is confidential: it cannot be public');
    if (grantTypes.some((grant) => grant !== 'client_credentials')) throw new AppInputError('an admin app uses the client_credentials grant only', 'grant_types');
    if (responseTypes.length > 0) throw new AppInputError('an admin app has no response types (no browser flow)', 'response_types');
    if (!scopes.includes(ADMIN_SCOPE)) throw new AppInputError(`an admin app has the scope ${ADMIN_SCOPE}`, 'scopes');
  }
  return {
    name,
    rootDomain,
    redirectUris,
    grantTypes,
    responseTypes,
    scopes,
    isPublic: input.isPublic ?? false,
    isResourceServer: input.isResourceServer ?? false,
    isAdmin,
    ownerUid: input.ownerUid ?? null,
    subjectType: oneOf(input.subjectType, SUBJECT_TYPES, APP_DEFAULTS.subjectType, 'subject type', 'subject_type'),
    idTokenAlg: oneOf(input.idTokenAlg, SIGNING_ALGS, APP_DEFAULTS.idTokenAlg, 'id_token signing algorithm', 'id_token_signed_response_alg'),
    postLogoutRedirectUris: uniqueTrimmed(input.postLogoutRedirectUris).map((uri) => checkRegisteredUri(uri, rootDomain, 'post-logout redirect URI', 'post_logout_redirect_uris')),
    backchannelLogoutUri: input.backchannelLogoutUri == null || input.backchannelLogoutUri.trim() === '' ? null : checkBackchannelUri(input.backchannelLogoutUri.trim()),
    requireDpop: input.requireDpop ?? APP_DEFAULTS.requireDpop,
    ...clientAuthSettings(input),
    // SPEC §8.
    resources: checkResources(input.resources),
    accessTokenFormat: oneOf(input.accessTokenFormat, ACCESS_TOKEN_FORMATS, APP_DEFAULTS.accessTokenFormat, 'access token format', 'access_token_format'),
    refreshGrace: checkRefreshGrace(input.refreshGrace),
  };
}

function clientAuthSettings(input: AppInput): ReturnType<typeof checkClientAuthSettings> {
  try {
    return checkClientAuthSettings(input, input.isPublic ?? false);
  } catch (error) {
    if (error instanceof ClientAuthSettingError) throw new AppInputError(error.message, error.field);
    throw error;
  }
}

/** client_secret_jwt keeps the Secret Key sealed beside its hash (SPEC §8); every other app keeps only the hash. */
function sealedSecretFor(deps: AppChangeDeps, app: Pick<App, 'clientId' | 'tokenEndpointAuthMethod'>, clientSecret: string | undefined): string | null {
  if (app.tokenEndpointAuthMethod !== 'client_secret_jwt' || clientSecret === undefined) return null;
  if (deps.clientKeys === undefined) throw new Error('a client_secret_jwt app needs ClientKeys to seal its Secret Key');
  return deps.clientKeys.sealSecret(app.clientId, clientSecret);
}

/** Registers an app; the Secret Key is returned once here and stored only as its hash. */
export async function registerApp(
  deps: AppChangeDeps,
  input: AppInput,
  knownScopes: ReadonlySet<string>,
  ctx: ChangeContext,
): Promise<{ app: App; clientSecret: string | undefined }> {
  const fields = validateAppInput(input, knownScopes);
  const clientSecret = fields.isPublic ? undefined : mintSecret();
  const clientId = randomId(18);
  const app: App = {
    ...fields,
    clientId,
    secretHash: clientSecret === undefined ? null : hashSecret(clientSecret),
    disabled: false,
    createdAt: ctx.now,
    sealedSecret: sealedSecretFor(deps, { clientId, tokenEndpointAuthMethod: fields.tokenEndpointAuthMethod }, clientSecret),
  };
  await commitChange(deps.audit, { kind: 'createApp', app }, auditEvent(ctx, 'app.create', { type: 'app', id: app.clientId }), {});
  return { app, clientSecret };
}

/** What may change on an app after registration (public/confidential and admin stay as they were made). */
export type AppSettings = Partial<Omit<AppInput, 'isPublic' | 'isAdmin' | 'ownerUid'>> & { disabled?: boolean };

/**
 * Changes the settings named in `changes` (the others stay, so two updates of
 * different fields at once lose neither), checked with the same rules as
 * registration against the app as it would become. Only `disabled` changing
 * is app.disable / app.enable; anything else app.update.
 */
export async function updateApp(
  deps: AppChangeDeps & { apps: Pick<AppStore, 'findApp'> },
  clientId: string,
  changes: AppSettings,
  knownScopes: ReadonlySet<string>,
  ctx: ChangeContext,
): Promise<App> {
  const current = await deps.apps.findApp(clientId);
  if (current === undefined) throw new NotFoundError('app', clientId);
  const merged: AppInput = {
    name: changes.name ?? current.name,
    rootDomain: changes.rootDomain ?? current.rootDomain,
    redirectUris: changes.redirectUris ?? current.redirectUris,
    grantTypes: changes.grantTypes ?? current.grantTypes,
    responseTypes: changes.responseTypes ?? current.responseTypes,
    scopes: changes.scopes ?? current.scopes,
    isPublic: current.isPublic,
    isResourceServer: changes.isResourceServer ?? current.isResourceServer,
    isAdmin: current.isAdmin,
    ownerUid: current.ownerUid,
    subjectType: changes.subjectType ?? current.subjectType,
    idTokenAlg: changes.idTokenAlg ?? current.idTokenAlg,
    postLogoutRedirectUris: changes.postLogoutRedirectUris ?? current.postLogoutRedirectUris,
    backchannelLogoutUri: changes.backchannelLogoutUri !== undefined ? changes.backchannelLogoutUri : current.backchannelLogoutUri,
    requireDpop: changes.requireDpop ?? current.requireDpop,
    tokenEndpointAuthMethod: changes.tokenEndpointAuthMethod !== undefined ? changes.tokenEndpointAuthMethod : current.tokenEndpointAuthMethod,
    jwks: changes.jwks !== undefined ? changes.jwks : current.jwks,
    jwksUri: changes.jwksUri !== undefined ? changes.jwksUri : current.jwksUri,
    requirePar: changes.requirePar ?? current.requirePar,
    // SPEC §8.
    resources: changes.resources ?? current.resources,
    accessTokenFormat: changes.accessTokenFormat ?? current.accessTokenFormat,
    refreshGrace: changes.refreshGrace ?? current.refreshGrace,
  };
  const checked = validateAppInput(merged, knownScopes);
  // SPEC §8: client_secret_jwt is chosen at creation, when the Secret Key exists in clear.
  if (checked.tokenEndpointAuthMethod === 'client_secret_jwt' && current.sealedSecret === null) {
    throw new AppInputError('client_secret_jwt needs the Secret Key kept sealed: choose it when the app is created', 'token_endpoint_auth_method');
  }
  const patch: AppPatch = {};
  if (changes.name !== undefined) patch.name = checked.name;
  if (changes.rootDomain !== undefined) patch.rootDomain = checked.rootDomain;
  if (changes.redirectUris !== undefined) patch.redirectUris = checked.redirectUris;
  if (changes.grantTypes !== undefined) patch.grantTypes = checked.grantTypes;
  if (changes.responseTypes !== undefined) patch.responseTypes = checked.responseTypes;
  if (changes.scopes !== undefined) patch.scopes = checked.scopes;
  if (changes.isResourceServer !== undefined) patch.isResourceServer = checked.isResourceServer;
  if (changes.subjectType !== undefined) patch.subjectType = checked.subjectType;
  if (changes.idTokenAlg !== undefined) patch.idTokenAlg = checked.idTokenAlg;
  if (changes.postLogoutRedirectUris !== undefined) patch.postLogoutRedirectUris = checked.postLogoutRedirectUris;
  if (changes.backchannelLogoutUri !== undefined) patch.backchannelLogoutUri = checked.backchannelLogoutUri;
  if (changes.requireDpop !== undefined) patch.requireDpop = checked.requireDpop;
  if (changes.tokenEndpointAuthMethod !== undefined) patch.tokenEndpointAuthMethod = checked.tokenEndpointAuthMethod;
  if (changes.jwks !== undefined) patch.jwks = checked.jwks;
  if (changes.jwksUri !== undefined) patch.jwksUri = checked.jwksUri;
  if (changes.requirePar !== undefined) patch.requirePar = checked.requirePar;
  // SPEC §8.
  if (changes.resources !== undefined) patch.resources = checked.resources;
  if (changes.accessTokenFormat !== undefined) patch.accessTokenFormat = checked.accessTokenFormat;
  if (changes.refreshGrace !== undefined) patch.refreshGrace = checked.refreshGrace;
  if (changes.disabled !== undefined) patch.disabled = changes.disabled;
  const keys = Object.keys(patch);
  const action = keys.length === 1 && keys[0] === 'disabled' ? (patch.disabled ? 'app.disable' : 'app.enable') : 'app.update';
  await commitChange(deps.audit, { kind: 'updateApp', clientId, patch }, auditEvent(ctx, action, { type: 'app', id: clientId }), {
    notFound: () => new NotFoundError('app', clientId),
  });
  return { ...current, ...patch };
}

/** Disables (no token, no authorize) or enables an app. */
export async function setAppDisabled(deps: AppChangeDeps, clientId: string, disabled: boolean, ctx: ChangeContext): Promise<void> {
  await commitChange(
    deps.audit,
    { kind: 'updateApp', clientId, patch: { disabled } },
    auditEvent(ctx, disabled ? 'app.disable' : 'app.enable', { type: 'app', id: clientId }),
    { notFound: () => new NotFoundError('app', clientId) },
  );
}

/** A new Secret Key; the old one stops working at once. */
export async function rotateSecret(deps: AppChangeDeps & { apps: Pick<AppStore, 'findApp'> }, clientId: string, ctx: ChangeContext): Promise<string> {
  const app = await deps.apps.findApp(clientId);
  if (app === undefined) throw new NotFoundError('app', clientId);
  if (app.isPublic) throw new AppInputError('a public app has no Secret Key');
  const clientSecret = mintSecret();
  const sealed = sealedSecretFor(deps, app, clientSecret);
  await commitChange(
    deps.audit,
    { kind: 'updateApp', clientId, patch: { secretHash: hashSecret(clientSecret), ...(sealed === null ? {} : { sealedSecret: sealed }) } },
    auditEvent(ctx, 'app.rotate_secret', { type: 'app', id: clientId }),
    { notFound: () => new NotFoundError('app', clientId) },
  );
  return clientSecret;
}

/** Deletes an app: its tokens die with it and its consents are forgotten. */
export async function deleteApp(deps: AppChangeDeps, clientId: string, ctx: ChangeContext): Promise<void> {
  await commitChange(deps.audit, { kind: 'deleteApp', clientId }, auditEvent(ctx, 'app.delete', { type: 'app', id: clientId }), {
    notFound: () => new NotFoundError('app', clientId),
  });
}
