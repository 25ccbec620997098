/** Registering and changing apps: the rules shared by the command line and the developer console. */
import { APP_DEFAULTS, GRANT_TYPES, RESPONSE_TYPES, SIGNING_ALGS, SUBJECT_TYPES, type App, type GrantTypeName, type ResponseTypeName } from './model.js';
import type { AppStore } from './ports.js';
import { normaliseRootDomain, registrableDomain } from './redirect.js';
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
  ownerUid?: string | null;
  /** OpenID Connect (SPEC §7 "Apps"). */
  subjectType?: string;
  idTokenAlg?: string;
  postLogoutRedirectUris?: string[];
  backchannelLogoutUri?: string | null;
}

/** A mistake in what an operator or developer asked for; the message says which field and why. */
export class AppInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AppInputError';
  }
}

function pick<T extends string>(values: string[] | undefined, allowed: readonly T[], what: string): T[] {
  if (values === undefined) return [...allowed];
  for (const value of values) {
    if (!(allowed as readonly string[]).includes(value)) {
      throw new AppInputError(`unknown ${what} ${JSON.stringify(value)}: use ${allowed.join(', ')}`);
    }
  }
  return [...new Set(values)] as T[];
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T, what: string): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new AppInputError(`unknown ${what} ${JSON.stringify(value)}: use ${allowed.join(', ')}`);
  return value as T;
}

/**
 * A registered redirect URI (or post-logout redirect URI) must itself be
 * usable: absolute, no fragment, no user info, under the app's root domain.
 */
function checkRegisteredUri(uri: string, rootDomain: string, what = 'redirect URI'): string {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new AppInputError(`${what} ${JSON.stringify(uri)} is not an absolute URI`);
  }
  if (uri.includes('#')) throw new AppInputError(`${what} ${uri} must not have a fragment`);
  if (url.username !== '' || url.password !== '') throw new AppInputError(`${what} ${uri} must not carry user information`);
  if (['javascript:', 'data:', 'vbscript:', 'file:'].includes(url.protocol)) throw new AppInputError(`${what} ${uri} has a forbidden scheme`);
  const loopback = ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
  if ((url.protocol === 'https:' || url.protocol === 'http:') && !loopback && registrableDomain(url.hostname) !== rootDomain) {
    throw new AppInputError(`${what} ${uri} is not under the root domain ${rootDomain}`);
  }
  return uri;
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
    throw new AppInputError(`back-channel logout URI ${JSON.stringify(uri)} is not an absolute URI`);
  }
  if (uri.includes('#')) throw new AppInputError(`back-channel logout URI ${uri} must not have a fragment`);
  const loopback = ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new AppInputError(`back-channel logout URI ${uri} must be https (plain http only on a loopback host)`);
  }
  return uri;
}

const uniqueTrimmed = (values: string[] | undefined): string[] => [...new Set((values ?? []).map((value) => value.trim()).filter((value) => value !== ''))];

export function validateAppInput(input: AppInput, knownScopes: ReadonlySet<string>): Omit<App, 'clientId' | 'secretHash' | 'createdAt' | 'disabled'> {
  const name = input.name.trim();
  if (name === '' || name.length > 100) throw new AppInputError('name must be 1 to 100 characters');
  let rootDomain: string;
  try {
    rootDomain = normaliseRootDomain(input.rootDomain);
  } catch (error) {
    throw new AppInputError((error as Error).message);
  }
  const redirectUris = uniqueTrimmed(input.redirectUris).map((uri) => checkRegisteredUri(uri, rootDomain));
  const postLogoutRedirectUris = uniqueTrimmed(input.postLogoutRedirectUris).map((uri) => checkRegisteredUri(uri, rootDomain, 'post-logout redirect URI'));
  const backchannel = input.backchannelLogoutUri?.trim();
  const grantTypes: GrantTypeName[] = pick(input.grantTypes, GRANT_TYPES, 'grant type');
  const responseTypes: ResponseTypeName[] = pick(input.responseTypes, RESPONSE_TYPES, 'response type');
  const scopes = [...new Set(input.scopes ?? ['basic'])];
  if (scopes.length === 0) throw new AppInputError('an app needs at least one scope');
  for (const scope of scopes) if (!knownScopes.has(scope)) throw new AppInputError(`unknown scope ${JSON.stringify(scope)}`);
  return {
    name,
    rootDomain,
    redirectUris,
    grantTypes,
    responseTypes,
    scopes,
    isPublic: input.isPublic ?? false,
    isResourceServer: input.isResourceServer ?? false,
    ownerUid: input.ownerUid ?? null,
    subjectType: oneOf(input.subjectType, SUBJECT_TYPES, APP_DEFAULTS.subjectType, 'subject type'),
    idTokenAlg: oneOf(input.idTokenAlg, SIGNING_ALGS, APP_DEFAULTS.idTokenAlg, 'id_token signing algorithm'),
    postLogoutRedirectUris,
    backchannelLogoutUri: backchannel === undefined || backchannel === '' ? null : checkBackchannelUri(backchannel),
  };
}

/** Registers an app; the Secret Key is returned once here and stored only as its hash. */
export async function registerApp(
  apps: Pick<AppStore, 'createApp'>,
  input: AppInput,
  knownScopes: ReadonlySet<string>,
  now: number,
): Promise<{ app: App; clientSecret: string | undefined }> {
  const fields = validateAppInput(input, knownScopes);
  const clientSecret = fields.isPublic ? undefined : mintSecret();
  const app: App = {
    ...fields,
    clientId: randomId(18),
    secretHash: clientSecret === undefined ? null : hashSecret(clientSecret),
    disabled: false,
    createdAt: now,
  };
  await apps.createApp(app);
  return { app, clientSecret };
}

/** A new Secret Key; the old one stops working at once. */
export async function rotateSecret(apps: Pick<AppStore, 'findApp' | 'updateApp'>, clientId: string): Promise<string> {
  const app = await apps.findApp(clientId);
  if (app === undefined) throw new AppInputError(`no app with client_id ${clientId}`);
  if (app.isPublic) throw new AppInputError('a public app has no Secret Key');
  const clientSecret = mintSecret();
  await apps.updateApp(clientId, { secretHash: hashSecret(clientSecret) });
  return clientSecret;
}
