/**
 * The client-authentication settings of an app (SPEC §8, RFC 7591 §2):
 * token_endpoint_auth_method, jwks, jwks_uri, and PAR's require flag,
 * checked once for the CLI, the console and the admin API.
 */
import { TOKEN_ENDPOINT_AUTH_METHODS, type App, type ClientJwks, type TokenEndpointAuthMethod } from './model.js';

export interface ClientAuthInput {
  /** One of TOKEN_ENDPOINT_AUTH_METHODS; null or '' for "any method the app has material for". */
  tokenEndpointAuthMethod?: string | null | undefined;
  /** A JWK Set, as an object or its JSON text (`--jwks JSON`). */
  jwks?: unknown;
  jwksUri?: string | null | undefined;
  requirePar?: boolean | undefined;
}

/** A setting that cannot be; the message names it (apps.ts turns it into its AppInputError). */
export class ClientAuthSettingError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'ClientAuthSettingError';
  }
}

// RFC 7517 §4/§6: members that only a private or symmetric key has. An app registers public keys only.
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const PUBLIC_KTY = ['RSA', 'EC', 'OKP'];
/** Bound what one app may make every verification walk through. */
export const MAX_KEYS = 20;

/** The private member a JWK carries (it is then no public key), if any. */
export const privateMemberOf = (jwk: Record<string, unknown>): string | undefined => PRIVATE_MEMBERS.find((member) => member in jwk);
/** A key private_key_jwt may verify with: RSA, EC or OKP, public (never one that could act as an HMAC secret, RFC 8725 §2.1). */
export const isPublicJwk = (jwk: Record<string, unknown>): boolean => typeof jwk['kty'] === 'string' && PUBLIC_KTY.includes(jwk['kty']) && privateMemberOf(jwk) === undefined;
const MAX_JWKS_CHARS = 64 * 1024;

function parseJwks(value: unknown): ClientJwks | null {
  if (value === undefined || value === null || value === '') return null;
  let parsed: unknown = value;
  if (typeof value === 'string') {
    if (value.length > MAX_JWKS_CHARS) throw new ClientAuthSettingError(`jwks is longer than ${MAX_JWKS_CHARS} characters`, 'jwks');
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new ClientAuthSettingError('jwks is not JSON: give a JWK Set, {"keys":[…]}', 'jwks');
    }
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray(keys)) throw new ClientAuthSettingError('jwks must be a JWK Set: {"keys":[…]}', 'jwks');
  if (keys.length === 0 || keys.length > MAX_KEYS) throw new ClientAuthSettingError(`jwks must hold 1 to ${MAX_KEYS} keys`, 'jwks');
  if (JSON.stringify(parsed).length > MAX_JWKS_CHARS) throw new ClientAuthSettingError(`jwks is longer than ${MAX_JWKS_CHARS} characters`, 'jwks');
  const checked = keys.map((key: unknown, index) => {
    if (typeof key !== 'object' || key === null || Array.isArray(key)) throw new ClientAuthSettingError(`jwks key ${index} is not a JWK object`, 'jwks');
    const jwk = key as Record<string, unknown>;
    if (typeof jwk['kty'] !== 'string' || !PUBLIC_KTY.includes(jwk['kty'])) throw new ClientAuthSettingError(`jwks key ${index}: kty must be RSA, EC or OKP (public keys only)`, 'jwks');
    const secret = privateMemberOf(jwk);
    if (secret !== undefined) throw new ClientAuthSettingError(`jwks key ${index} carries the private member "${secret}": register public keys only`, 'jwks');
    return { ...jwk };
  });
  return { keys: checked };
}

/** An absolute https URL (plain http to a loopback host only; whether it may be fetched is the fetcher's rule). */
function checkJwksUri(value: string | null | undefined): string | null {
  const uri = value?.trim() ?? '';
  if (uri === '') return null;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new ClientAuthSettingError(`jwks_uri ${JSON.stringify(uri)} is not an absolute URI`, 'jwks_uri');
  }
  if (uri.includes('#')) throw new ClientAuthSettingError(`jwks_uri ${uri} must not have a fragment`, 'jwks_uri');
  if (url.username !== '' || url.password !== '') throw new ClientAuthSettingError(`jwks_uri ${uri} must not carry user information`, 'jwks_uri');
  const loopback = ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new ClientAuthSettingError(`jwks_uri ${uri} must be https (plain http only on a loopback host)`, 'jwks_uri');
  }
  return uri;
}

export function checkClientAuthSettings(
  input: ClientAuthInput,
  isPublic: boolean,
): Pick<App, 'tokenEndpointAuthMethod' | 'jwks' | 'jwksUri' | 'requirePar'> {
  const raw = input.tokenEndpointAuthMethod ?? null;
  const method = raw === null || raw === '' ? null : raw;
  if (method !== null && !(TOKEN_ENDPOINT_AUTH_METHODS as readonly string[]).includes(method)) {
    throw new ClientAuthSettingError(`unknown token endpoint auth method ${JSON.stringify(method)}: use ${TOKEN_ENDPOINT_AUTH_METHODS.join(', ')}`, 'token_endpoint_auth_method');
  }
  const jwks = parseJwks(input.jwks);
  const jwksUri = checkJwksUri(input.jwksUri);
  // RFC 7591 §2: jwks and jwks_uri MUST NOT both be present.
  if (jwks !== null && jwksUri !== null) throw new ClientAuthSettingError('give jwks or jwks_uri, not both (RFC 7591 §2)', 'jwks');
  if (isPublic && method !== null && method !== 'none') {
    throw new ClientAuthSettingError(`a public app has no Secret Key: its token endpoint auth method is none, not ${method}`, 'token_endpoint_auth_method');
  }
  if (!isPublic && method === 'none') throw new ClientAuthSettingError('a confidential app cannot use none: make it public (--public) instead', 'token_endpoint_auth_method');
  if (method === 'private_key_jwt' && jwks === null && jwksUri === null) {
    throw new ClientAuthSettingError('private_key_jwt needs the app\'s public keys: give jwks or jwks_uri', 'token_endpoint_auth_method');
  }
  return { tokenEndpointAuthMethod: method as TokenEndpointAuthMethod | null, jwks, jwksUri, requirePar: input.requirePar ?? false };
}
