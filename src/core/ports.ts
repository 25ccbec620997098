/**
 * What the core needs from the outside world, named by intent. Storage
 * implements these (memory, SQLite, PostgreSQL); every implementation passes
 * the one contract suite in test/storage/contract.ts. A function takes only
 * the slice it uses (`Pick<TokenStore, 'findToken'>`), never the whole bag.
 */
import type { AuditStore } from './audit.js';
import type { InitialAccessTokenStore } from './initial-access-tokens.js';
import type { LogoutOutbox, SessionAppStore } from './logout.js';
import type { ReplayCache } from './replays.js';
import type { PushedRequestStore } from './pushed-requests.js';
import type { App, AuthorizationCode, ClientJwks, Consent, DeviceAuthorization, NewDeviceAuthorization, NewToken, Scope, SignInContext, TokenRecord, User } from './model.js';

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface AppStore {
  findApp(clientId: string): Promise<App | undefined>;
  createApp(app: App): Promise<void>;
  updateApp(clientId: string, patch: Partial<Omit<App, 'clientId' | 'createdAt'>>): Promise<boolean>;
  /**
   * Ordered by creation time, then client_id. `after` and `limit` page through
   * them (the admin API): only apps after that position, at most `limit`.
   */
  listApps(filter?: { ownerUid?: string; after?: { createdAt: number; clientId: string }; limit?: number }): Promise<App[]>;
}

export interface UserStore {
  findUserByUid(uid: string): Promise<User | undefined>;
  findUserByUsername(username: string): Promise<User | undefined>;
  /** Fails (returns false) when the username is taken. */
  createUser(user: User): Promise<boolean>;
  countUsers(): Promise<number>;
  /** Ordered by uid (ids grow with time); only uids greater than `afterUid`, at most `limit`. */
  listUsers(page: { afterUid?: string; limit: number }): Promise<User[]>;
}

export interface ScopeStore {
  listScopes(): Promise<Scope[]>;
  /** Creates or updates the description. */
  saveScope(scope: Scope): Promise<void>;
}

export interface ConsentStore {
  findConsent(uid: string, clientId: string): Promise<Consent | undefined>;
  /** Adds `consent.scope` to what the user granted the app (a union, atomic: concurrent approvals lose nothing). */
  saveConsent(consent: Consent, now: number): Promise<void>;
  listConsents(uid: string): Promise<Consent[]>;
  deleteConsent(uid: string, clientId: string): Promise<void>;
}

export interface CodeStore {
  /** Stores a new code and returns its id (the code's public handle is `id.secret`). */
  saveCode(code: Omit<AuthorizationCode, 'id' | 'consumedAt' | 'familyId' | 'replayedAt'>): Promise<number>;
  findCode(id: number): Promise<AuthorizationCode | undefined>;
  /**
   * Marks the code used; true for exactly one caller however many race
   * (one atomic statement: UPDATE … WHERE consumed_at IS NULL).
   */
  consumeCode(id: number, now: number): Promise<boolean>;
  /** Records a replay of the code (RFC 6749 §4.1.2); see AuthorizationCode.replayedAt. */
  markCodeReplayed(id: number, now: number): Promise<void>;
  /**
   * Whether markCodeReplayed was called for the code: the exchange's look after
   * its tokens are stored, which needs that one column, not the whole row.
   */
  isCodeReplayed(id: number): Promise<boolean>;
}

export interface TokenStore {
  /**
   * Stores the tokens durably and returns their ids, in order. Resolves only
   * after the rows are committed, so a token is never answered before it exists.
   */
  issueTokens(tokens: NewToken[]): Promise<number[]>;
  findToken(id: number): Promise<TokenRecord | undefined>;
  /** Single use of a refresh token: true for exactly one caller. */
  consumeRefreshToken(id: number, now: number): Promise<boolean>;
  revokeToken(id: number, now: number): Promise<void>;
  /** Revokes every token of a family (code replay, refresh replay, revocation of a refresh token). */
  revokeFamily(familyId: number, now: number): Promise<void>;
  /** Revokes every token a user granted an app (the account page's "revoke"). */
  revokeUserTokens(uid: string, clientId: string, now: number): Promise<void>;
  /**
   * Keeps the OpenID sign-in of a token family, so that a refresh returns an
   * id_token with the original nonce, auth_time and sid (OIDC Core §12.2).
   * Written only for OpenID grants that issue a refresh token, beside the
   * tokens (not in their rows: the token insert is the hottest path). A
   * family's sign-in never changes: a second save is ignored.
   */
  saveSignIn(familyId: number, signIn: SignInContext, now: number): Promise<void>;
  findSignIn(familyId: number): Promise<SignInContext | undefined>;
  /**
   * Refresh grace (SPEC §8): keeps the sealed answer to the use of refresh
   * token `tokenId` until `expiresAt` (ms); a second save is ignored. Written
   * only for apps with a grace window, never on the hot path of others.
   */
  saveRefreshAnswer(tokenId: number, sealed: string, expiresAt: number): Promise<void>;
  /** The sealed answer, while it has not expired at `now`. */
  findRefreshAnswer(tokenId: number, now: number): Promise<string | undefined>;
}

/** Device authorizations (RFC 8628); every method that decides something is one atomic statement. */
export interface DeviceStore {
  /**
   * Stores a new pending authorization and returns its id, or undefined when
   * its user code hash is already taken (the caller draws another user code).
   */
  saveDevice(device: NewDeviceAuthorization): Promise<number | undefined>;
  findDevice(id: number): Promise<DeviceAuthorization | undefined>;
  findDeviceByUserCode(userCodeHash: string): Promise<DeviceAuthorization | undefined>;
  /**
   * The person's answer: true for exactly one caller, and only while pending and unexpired.
   * `signIn` (the approving session) is kept for the id_token when the scope has openid.
   */
  decideDevice(id: number, decision: 'approved' | 'denied', uid: string, now: number, signIn?: SignInContext | null): Promise<boolean>;
  /**
   * One poll (RFC 8628 §3.5, SPEC §1): passes when it is the first or comes at
   * least `interval` seconds after the previous poll, whatever that one's
   * answer. Every poll counts as "the previous one"; a poll that comes too soon
   * also raises the interval by `slowDownSeconds`. Racing polls: at most one passes.
   */
  recordPoll(id: number, now: number, slowDownSeconds: number): Promise<{ passed: true } | { passed: false; interval: number }>;
  /** Marks an approved authorization exchanged: true for exactly one caller. */
  consumeDevice(id: number, now: number): Promise<boolean>;
  /** Deletes up to `limit` authorizations expired at `now`; returns how many (a periodic job calls it). */
  deleteExpired(now: number, limit: number): Promise<number>;
}

export interface RateLimiter {
  /**
   * Counts one event for `key` in a fixed window of `windowSeconds`;
   * `allowed` is false once more than `limit` events fell in the window,
   * with the seconds until it ends.
   */
  hit(key: string, limit: number, windowSeconds: number): Promise<{ allowed: boolean; retryAfter: number }>;
  /** The same answer without counting (check before doing costly work such as a password hash). */
  peek(key: string, limit: number): Promise<{ allowed: boolean; retryAfter: number }>;
  /** Forgets a key (a successful sign-in clears its failures). */
  reset(key: string): Promise<void>;
}

/**
 * An app's key material for JWT client authentication (SPEC §8, RFC 7523),
 * which storage implements, so the core never sees a sealing key or a fetch:
 * the Secret Key sealed under GATEHOUSE_KEYS_SECRET (client_secret_jwt), and
 * the public keys of its jwks or jwks_uri (private_key_jwt).
 */
export interface ClientKeys {
  /** Seals a Secret Key into the form App.sealedSecret keeps. */
  sealSecret(clientId: string, secret: string): string;
  /** The Secret Key in clear, opened from App.sealedSecret; undefined when the app has none. */
  openSecret(app: App): string | undefined;
  /**
   * The app's public keys: its jwks, or those its jwks_uri serves (cached).
   * `refresh` (the assertion names a kid the cached set lacks) refetches, at
   * most once a minute per app. Rejects, with a reason fit for a log, when
   * the keys cannot be had (refused address, timeout, too big, not a JWKS).
   */
  publicKeys(app: App, options?: { refresh?: boolean }): Promise<ClientJwks>;
}

/** Everything a Gatehouse instance is made of; `http` receives it whole, core functions take slices. */
export interface Stores {
  apps: AppStore;
  users: UserStore;
  scopes: ScopeStore;
  consents: ConsentStore;
  codes: CodeStore;
  tokens: TokenStore;
  devices: DeviceStore;
  /** The audit trail, and the one way a change of the CLI, console or admin API is written (core/audit.ts). */
  audit: AuditStore;
  /** Which apps each sign-in session signed in to (SPEC §7 "Logout"). */
  sessionApps: SessionAppStore;
  /** Back-channel logouts to deliver, kept until delivered or given up. */
  logouts: LogoutOutbox;
  /** Single-use jti values of DPoP proofs and client assertions (core/replays.ts). */
  replays: ReplayCache;
  /** Initial access tokens of dynamic registration (SPEC §9). */
  registrationTokens: InitialAccessTokenStore;
  /** Pushed authorization requests (RFC 9126, SPEC §8). */
  pushedRequests: PushedRequestStore;
}
