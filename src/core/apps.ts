/** Registering and changing apps: the rules shared by the command line and the developer console. */
import { GRANT_TYPES, RESPONSE_TYPES, type App, type GrantTypeName, type ResponseTypeName } from './model.js';
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

/** A registered redirect URI must itself be usable: absolute, no fragment, no user info. */
function checkRegisteredUri(uri: string, rootDomain: string): string {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new AppInputError(`redirect URI ${JSON.stringify(uri)} is not an absolute URI`);
  }
  if (uri.includes('#')) throw new AppInputError(`redirect URI ${uri} must not have a fragment`);
  if (url.username !== '' || url.password !== '') throw new AppInputError(`redirect URI ${uri} must not carry user information`);
  if (['javascript:', 'data:', 'vbscript:', 'file:'].includes(url.protocol)) throw new AppInputError(`redirect URI ${uri} has a forbidden scheme`);
  const loopback = ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
  if ((url.protocol === 'https:' || url.protocol === 'http:') && !loopback && registrableDomain(url.hostname) !== rootDomain) {
    throw new AppInputError(`redirect URI ${uri} is not under the root domain ${rootDomain}`);
  }
  return uri;
}

export function validateAppInput(input: AppInput, knownScopes: ReadonlySet<string>): Omit<App, 'clientId' | 'secretHash' | 'createdAt' | 'disabled'> {
  const name = input.name.trim();
  if (name === '' || name.length > 100) throw new AppInputError('name must be 1 to 100 characters');
  let rootDomain: string;
  try {
    rootDomain = normaliseRootDomain(input.rootDomain);
  } catch (error) {
    throw new AppInputError((error as Error).message);
  }
  const redirectUris = [...new Set((input.redirectUris ?? []).map((uri) => uri.trim()).filter((uri) => uri !== ''))].map((uri) =>
    checkRegisteredUri(uri, rootDomain),
  );
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
