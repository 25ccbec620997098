/** Small shared fixtures for the core and storage tests: apps, a clock, codes, grant deps. */
import type { TokenEndpointDpop } from '../../src/core/dpop-token.js';
import { joseProofSignature } from '../../src/storage/keys/jose-dpop.js';
import assert from 'node:assert/strict';
import { OAuthError, type ErrorCode } from '../../src/core/errors.js';
import { GrantRegistry, coreGrants, type GrantDeps } from '../../src/core/grants/index.js';
import { APP_DEFAULTS, DEFAULT_LIFETIMES, type App, type AuthorizationCode, type Lifetimes } from '../../src/core/model.js';
import type { Clock, Stores } from '../../src/core/ports.js';
import { formatToken, hashSecret, mintSecret, randomId } from '../../src/core/tokens.js';
import { createMemoryStores } from '../../src/storage/memory/index.js';

export const T0 = Date.UTC(2026, 0, 1);

/** A clock that only moves when told to. */
export interface TestClock extends Clock {
  advance(seconds: number): void;
}

export function fakeClock(start = T0): TestClock {
  let now = start;
  return {
    now: () => now,
    advance(seconds: number) {
      now += seconds * 1000;
    },
  };
}

/** An app (confidential unless `isPublic`), with its Secret Key in clear for the test to send. */
export function makeApp(overrides: Partial<App> & { secret?: string } = {}): { app: App; secret: string | undefined } {
  const { secret: wanted, ...fields } = overrides;
  const isPublic = fields.isPublic ?? false;
  const secret = isPublic ? undefined : (wanted ?? mintSecret());
  const app: App = {
    clientId: randomId(18),
    secretHash: secret === undefined ? null : hashSecret(secret),
    name: 'Test app',
    rootDomain: 'example.com',
    redirectUris: [],
    grantTypes: ['authorization_code', 'refresh_token', 'client_credentials', 'device_code'],
    responseTypes: ['code', 'token'],
    scopes: ['basic', 'email'],
    isPublic,
    isResourceServer: false,
    isAdmin: false,
    disabled: false,
    ownerUid: null,
    createdAt: T0,
    // What a new app gets (one list: core/model.ts), with arrays of its own.
    ...APP_DEFAULTS,
    postLogoutRedirectUris: [],
    resources: [],
    ...fields,
  } as App;
  return { app, secret };
}

export const LIFETIMES: Lifetimes = DEFAULT_LIFETIMES;

export type TokenDeps = GrantDeps & { grants: GrantRegistry; clock: TestClock; dpop: TokenEndpointDpop };

/** Memory stores, a fake clock and the core grants: everything exchangeToken needs. */
export function tokenDeps(stores: Stores = createMemoryStores()): TokenDeps {
  return {
    stores,
    lifetimes: LIFETIMES,
    clock: fakeClock(),
    knownScopes: async () => new Set((await stores.scopes.listScopes()).map((scope) => scope.name)),
    grants: new GrantRegistry(coreGrants),
    openid: { signer: unsignedSigner, issuer: 'https://gatehouse.test', openidKey: Buffer.alloc(32, 1) },
    dpop: { proofs: joseProofSignature, nonces: undefined, htu: 'https://gatehouse.test/oauth/2.0/token' },
  };
}

const b64json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A Signer for core tests: a JWS-shaped string whose payload is the claims (no signature; test/core/id-token.test.ts signs for real). */
export const unsignedSigner = {
  sign: async (claims: Record<string, unknown>, options: { alg: string; typ?: string }) => `${b64json({ alg: options.alg, typ: options.typ ?? 'JWT' })}.${b64json(claims)}.unsigned`,
};

/** The claims of a JWS (unverified). */
export function jwsPayload(jws: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

export type NewCode = Omit<AuthorizationCode, 'id' | 'consumedAt' | 'familyId' | 'replayedAt'>;

/** A code row as the authorize endpoint would save it, for `app` and user `uid`. */
export function codeFields(app: App, now: number, overrides: Partial<NewCode> = {}): NewCode {
  return {
    secretHash: hashSecret(mintSecret()),
    clientId: app.clientId,
    uid: 'user-1',
    redirectUri: 'https://app.example.com/cb',
    scope: ['basic'],
    codeChallenge: null,
    codeChallengeMethod: null,
    createdAt: now,
    expiresAt: now + LIFETIMES.authorizationCode * 1000,
    signIn: null,
    ...overrides,
  } as NewCode;
}

/** Saves a code and returns the string the client would present (`id.secret`). */
export async function issueCode(stores: Stores, app: App, now: number, overrides: Partial<NewCode> = {}): Promise<string> {
  const secret = mintSecret();
  const id = await stores.codes.saveCode(codeFields(app, now, { ...overrides, secretHash: hashSecret(secret) }));
  return formatToken(id, secret);
}

/** HTTP Basic credentials, each half form-encoded first (RFC 6749 §2.3.1). */
export function basic(clientId: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`;
}

/**
 * Asserts that `promise` (or `fn`) fails with an OAuthError of `code` whose
 * description matches `mentions` (the parameter it must name).
 */
export async function rejectsWith(promise: Promise<unknown> | (() => unknown), code: ErrorCode, mentions: RegExp): Promise<OAuthError> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    return assertOAuthError(error, code, mentions);
  }
  return assertOAuthError(undefined, code, mentions);
}

/** The synchronous twin of rejectsWith. */
export function throwsWith(fn: () => unknown, code: ErrorCode, mentions: RegExp): OAuthError {
  try {
    fn();
  } catch (error) {
    return assertOAuthError(error, code, mentions);
  }
  return assertOAuthError(undefined, code, mentions);
}

function assertOAuthError(caught: unknown, code: ErrorCode, mentions: RegExp): OAuthError {
  assert.ok(caught instanceof OAuthError, `expected an OAuthError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, `description: ${caught.description}`);
  assert.match(caught.description, mentions);
  return caught;
}

/** The client's own parameters at the token endpoint: client_id, plus client_secret for a confidential app. */
export function credentials(client: { app: App; secret: string | undefined }): Record<string, string> {
  return client.secret === undefined ? { client_id: client.app.clientId } : { client_id: client.app.clientId, client_secret: client.secret };
}
