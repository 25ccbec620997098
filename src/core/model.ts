/** The things Gatehouse knows about, as the core sees them (camelCase; wire names are mapped at the edge). */

export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials', 'device_code'] as const;
export type GrantTypeName = (typeof GRANT_TYPES)[number];

/** RFC 6749 §3.1.1 and OpenID Connect Core §3.2/§3.3 (`id_token`, `id_token token`: the implicit flow of OIDC). */
export const RESPONSE_TYPES = ['code', 'token', 'id_token', 'id_token token'] as const;
export type ResponseTypeName = (typeof RESPONSE_TYPES)[number];

/** The algorithms Gatehouse signs id_tokens (and JWTs) with (SPEC §7; RS256 is OIDC Core §15.1's default). */
export const SIGNING_ALGS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

/** OIDC Core §8: `public` (the uid) or `pairwise` (getInfo's per-app openid). */
export const SUBJECT_TYPES = ['public', 'pairwise'] as const;
export type SubjectType = (typeof SUBJECT_TYPES)[number];

/**
 * RFC 7591 §2 token_endpoint_auth_method: how an app authenticates at the
 * token, PAR, revoke and introspect endpoints (SPEC §8; RFC 7523 and OIDC
 * Core §9 for the two JWT methods).
 */
export const TOKEN_ENDPOINT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none'] as const;
export type TokenEndpointAuthMethod = (typeof TOKEN_ENDPOINT_AUTH_METHODS)[number];

/** A JWK Set (RFC 7517 §5) of an app's public keys, as registered; jose checks each key when it verifies. */
export interface ClientJwks {
  keys: Array<Record<string, unknown>>;
}

export interface App {
  clientId: string;
  /** SHA-256 (hex) of the Secret Key; null for public apps. */
  secretHash: string | null;
  name: string;
  rootDomain: string;
  /** Exact redirect URIs; when non-empty, stricter than the root-domain rule. */
  redirectUris: string[];
  grantTypes: GrantTypeName[];
  responseTypes: ResponseTypeName[];
  scopes: string[];
  isPublic: boolean;
  isResourceServer: boolean;
  /** Made with `clients create --admin`: the only kind of app that may be granted `gatehouse:admin` (SPEC §10). */
  isAdmin: boolean;
  disabled: boolean;
  /** The developer account that owns the app (console), if any. */
  ownerUid: string | null;
  createdAt: number;
  /** OpenID Connect (SPEC §7): the `sub` an app sees. */
  subjectType: SubjectType;
  /** id_token_signed_response_alg (OIDC Dynamic Registration §2), default RS256. */
  idTokenAlg: SigningAlg;
  /** RP-Initiated Logout §3.1: where the browser may go after logout, exact matches only. */
  postLogoutRedirectUris: string[];
  /** Back-Channel Logout §2.2: where logout tokens are POSTed, if anywhere. */
  backchannelLogoutUri: string | null;
  /** `clients create --require-dpop` (SPEC §8): every token request must carry a DPoP proof. */
  requireDpop: boolean;
  /**
   * SPEC §8: the one method the app may authenticate with, chosen with
   * `--token-endpoint-auth-method`; null accepts any method the app has the
   * material for (its Secret Key; its keys).
   */
  tokenEndpointAuthMethod: TokenEndpointAuthMethod | null;
  /** RFC 7591 §2 `jwks`: public keys for private_key_jwt (RFC 7523), registered inline. Never with jwksUri. */
  jwks: ClientJwks | null;
  /** RFC 7591 §2 `jwks_uri`: where the app publishes those keys (fetched by storage, SSRF-safe). */
  jwksUri: string | null;
  /**
   * client_secret_jwt needs the Secret Key in clear (HS256, RFC 7523 §2.2):
   * kept sealed under GATEHOUSE_KEYS_SECRET, opaque to the core (ClientKeys
   * opens it). Null for every other app.
   */
  sealedSecret: string | null;
  /** RFC 9126 §6 require_pushed_authorization_requests (`clients create --require-par`). */
  requirePar: boolean;
  // SPEC §8 (RFC 8707, RFC 9068, refresh grace).
  /** RFC 8707: the resources the app may ask for (`--resource U`); empty: any well-formed resource. */
  resources: string[];
  /** RFC 9068: `jwt` access tokens are signed JWTs (still a row: revocable, introspectable); `opaque` (default) as ever. */
  accessTokenFormat: AccessTokenFormat;
  // --- Apps that register themselves (SPEC §9); absent on apps made by an operator or developer ---
  /** How the app came to be: RFC 7591 registration or a Client ID Metadata Document; absent (null) otherwise. */
  registration?: AppRegistration | null;
  /** RFC 7592 §1: SHA-256 (hex) of the registration access token; never the token. */
  registrationTokenHash?: string | null;
  /** RFC 7591 §2 members kept as registered but not acted on (logo_uri, client_uri, software_id, …). */
  registrationMetadata?: Record<string, string> | null;
  /** When a self-registered app last issued a token (ms, at most hourly): GATEHOUSE_DYNAMIC_CLIENT_TTL counts from it. */
  lastUsedAt?: number | null;
  /** Seconds after a refresh in which the same app presenting the used refresh token gets the same answer (0: Baidu's strict single use). */
  refreshGrace: number;
}

export const ACCESS_TOKEN_FORMATS = ['opaque', 'jwt'] as const;
export type AccessTokenFormat = (typeof ACCESS_TOKEN_FORMATS)[number];

export const APP_REGISTRATIONS = ['dynamic', 'metadata-document'] as const;
export type AppRegistration = (typeof APP_REGISTRATIONS)[number];

/** What a new app gets when nothing else is asked for. */
export const APP_DEFAULTS = {
  subjectType: 'public',
  idTokenAlg: 'RS256',
  postLogoutRedirectUris: [],
  backchannelLogoutUri: null,
  requireDpop: false,
  tokenEndpointAuthMethod: null,
  jwks: null,
  jwksUri: null,
  sealedSecret: null,
  requirePar: false,
  resources: [],
  accessTokenFormat: 'opaque',
  refreshGrace: 0,
} as const satisfies Partial<App>;

export interface User {
  uid: string;
  username: string;
  passwordHash: string;
  createdAt: number;
  /** Present when the user has one; apps read it with the `email` scope. */
  email?: string;
  /** The person's display name (OIDC `name`, `profile` scope), when set. */
  name?: string;
  /** Whether the platform checked the address (OIDC `email_verified`). */
  emailVerified: boolean;
  /** When the profile last changed (OIDC `updated_at`), ms. */
  updatedAt: number;
  /** Present (true) once an operator disabled the user: no sign-in, their tokens stop working (SPEC §10). */
  disabled?: boolean;
}

export interface Scope {
  name: string;
  description: string;
}

/**
 * What an OpenID Connect sign-in carries from the authorize request to the
 * id_tokens issued from it (OIDC Core §2, §3.1.3.6): kept with the code and
 * with its refresh tokens, so a refreshed id_token keeps the original.
 */
export interface SignInContext {
  /** The request's nonce, when it had one (OIDC Core §3.1.2.1). */
  nonce?: string;
  /** When the person last typed their password (ms): the id_token's auth_time. */
  authTime: number;
  /** The sign-in session (the id_token's sid, Back-Channel Logout §2.1). */
  sid: string;
}

export interface AuthorizationCode {
  id: number;
  secretHash: string;
  clientId: string;
  uid: string;
  redirectUri: string;
  scope: string[];
  codeChallenge: string | null;
  codeChallengeMethod: 'S256' | 'plain' | null;
  /** Every token issued from this code, and from refreshes of it, shares this family. */
  familyId: number;
  createdAt: number;
  expiresAt: number;
  consumedAt: number | null;
  /**
   * Set when a second redemption was attempted: the winner of a race checks it
   * after storing its tokens, so a replay revokes them whichever commits first.
   */
  replayedAt: number | null;
  /** Set when the request was an OpenID Connect one (scope openid). */
  signIn: SignInContext | null;
  /** RFC 8707: the resources of the authorize request (absent or empty: none named). */
  resources?: string[];
}

/** Where a device authorization stands (RFC 8628 §3.3: the person approves or declines on the verification page). */
export type DeviceStatus = 'pending' | 'approved' | 'denied';

/**
 * A device authorization (RFC 8628 §3.2). The device code is `id.secret` and
 * only SHA-256(secret) is kept; the user code is kept only as the hash of its
 * normalised form, which the verification page looks up by equality.
 */
export interface DeviceAuthorization {
  id: number;
  secretHash: string;
  userCodeHash: string;
  clientId: string;
  scope: string[];
  status: DeviceStatus;
  /** The person who approved or declined. */
  uid: string | null;
  /** Seconds the device must wait between polls; each slow_down adds 5 (RFC 8628 §3.5). */
  interval: number;
  lastPollAt: number | null;
  createdAt: number;
  expiresAt: number;
  /** When the approved authorization was exchanged for tokens (single use). */
  consumedAt: number | null;
  /** The approving person's sign-in (auth_time, sid; no nonce in RFC 8628), kept when the scope has openid. */
  signIn: SignInContext | null;
  /** RFC 8707: the resources of the device authorization request (absent or empty: none named). */
  resources?: string[];
}

export type NewDeviceAuthorization = Omit<DeviceAuthorization, 'id' | 'status' | 'uid' | 'lastPollAt' | 'consumedAt' | 'signIn'>;

export type TokenKind = 'access' | 'refresh';

export interface TokenRecord {
  id: number;
  kind: TokenKind;
  secretHash: string;
  clientId: string;
  /** null for client credentials tokens (no person behind them). */
  uid: string | null;
  scope: string[];
  familyId: number | null;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
  /** Refresh tokens only: when it was exchanged (single use). */
  consumedAt: number | null;
  /** RFC 9449 §6: the JWK SHA-256 thumbprint (`cnf.jkt`) of the DPoP key the token is bound to; null for a Bearer token. */
  jkt: string | null;
  /** RFC 8707: the resources it is for (its `aud`); absent: the client_id, as before resource indicators. */
  audience?: string[];
}

export type NewToken = Omit<TokenRecord, 'id' | 'revokedAt' | 'consumedAt'>;

export interface Consent {
  uid: string;
  clientId: string;
  scope: string[];
}

/** Lifetimes in seconds (SPEC §3), every one configurable. */
export interface Lifetimes {
  authorizationCode: number;
  accessToken: number;
  refreshToken: number;
  deviceCode: number;
  devicePollInterval: number;
  /** GATEHOUSE_ID_TOKEN_TTL (SPEC §7): an id_token's exp; also how long a superseded signing key stays published. */
  idToken: number;
}

export const DEFAULT_LIFETIMES: Lifetimes = {
  authorizationCode: 600,
  accessToken: 2_592_000,
  refreshToken: 315_360_000,
  deviceCode: 1_800,
  devicePollInterval: 5,
  idToken: 3_600,
};
