/** The things Gatehouse knows about, as the core sees them (camelCase; wire names are mapped at the edge). */

export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials', 'device_code'] as const;
export type GrantTypeName = (typeof GRANT_TYPES)[number];

export const RESPONSE_TYPES = ['code', 'token'] as const;
export type ResponseTypeName = (typeof RESPONSE_TYPES)[number];

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
}

export interface User {
  uid: string;
  username: string;
  passwordHash: string;
  createdAt: number;
  /** Present when the user has one; apps read it with the `email` scope. */
  email?: string;
  /** Present (true) once an operator disabled the user: no sign-in, their tokens stop working (SPEC §10). */
  disabled?: boolean;
}

export interface Scope {
  name: string;
  description: string;
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
}

export type NewDeviceAuthorization = Omit<DeviceAuthorization, 'id' | 'status' | 'uid' | 'lastPollAt' | 'consumedAt'>;

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
}

export const DEFAULT_LIFETIMES: Lifetimes = {
  authorizationCode: 600,
  accessToken: 2_592_000,
  refreshToken: 315_360_000,
  deviceCode: 1_800,
  devicePollInterval: 5,
};
