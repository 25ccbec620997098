/**
 * JWT client authentication (RFC 7523 §2.2 and §3, RFC 7521 §4.2, OIDC Core
 * §9; SPEC §8): `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`
 * with a `client_assertion` signed by one of the app's keys (private_key_jwt)
 * or HS256 with its Secret Key (client_secret_jwt). Verified by jose alone,
 * against a local key set: the header's `jku`, `x5u`, `x5c` and `jwk` are
 * never followed (RFC 8725 §3.10), and its `kid` only picks among the app's
 * own keys. Every failure is invalid_client (RFC 7521 §4.2.1); the
 * description names what was wrong, the detail carries jose's reason.
 */
import type { ReplayCache } from './replays.js';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JSONWebKeySet, type JWTPayload, type JWTVerifyResult } from 'jose';
import { OAuthError } from './errors.js';
import type { App, ClientJwks } from './model.js';
import type { ClientKeys } from './ports.js';

export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** private_key_jwt algorithms (RFC 7518 §3.1): asymmetric only, so a public key can never act as an HMAC secret. */
export const ASYMMETRIC_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;
/** client_secret_jwt: HS256 with the Secret Key (SPEC §8). */
export const SECRET_ALGS = ['HS256'] as const;

/** SPEC §8: `exp` at most 5 minutes away. */
export const MAX_ASSERTION_LIFETIME_SECONDS = 300;

/** The `jti` single-use check (SPEC §8): the replay cache's one call (stores.replays). */
export type AssertionReplays = Pick<ReplayCache, 'firstUse'>;

/** What verifying an assertion needs beyond the app: given by the endpoint it is sent to. */
export interface AssertionContext {
  keys: Pick<ClientKeys, 'openSecret' | 'publicKeys'>;
  replays: AssertionReplays;
  /** SPEC §8: the issuer, the token endpoint's URL, and the URL of the endpoint the assertion is sent to. */
  audiences: string[];
  now: number;
}

export type AssertionMethod = 'private_key_jwt' | 'client_secret_jwt';

export function assertionFailure(description: string, clientId?: string, detail?: string): OAuthError {
  const error = new OAuthError('invalid_client', description, detail === undefined ? {} : { detail });
  error.clientId = clientId;
  return error;
}

/** The client an assertion claims to be (its `sub`, RFC 7523 §3 item 2), read before anything is verified; undefined when unreadable. */
export function assertedClientId(assertion: string): string | undefined {
  try {
    const claims = decodeJwt(assertion);
    return typeof claims.sub === 'string' && claims.sub !== '' ? claims.sub : undefined;
  } catch {
    return undefined;
  }
}

/** Which method an assertion uses, from its header's `alg` (checked against the allow-lists). */
export function assertionMethod(assertion: string, clientId: string): AssertionMethod {
  let alg: unknown;
  try {
    alg = decodeProtectedHeader(assertion).alg;
  } catch {
    throw assertionFailure('client_assertion is not a JWT', clientId);
  }
  if ((SECRET_ALGS as readonly unknown[]).includes(alg)) return 'client_secret_jwt';
  if ((ASYMMETRIC_ALGS as readonly unknown[]).includes(alg)) return 'private_key_jwt';
  // alg none, HS384 and anything unknown (RFC 8725 §3.1).
  throw assertionFailure(`client_assertion alg ${JSON.stringify(alg)} is not accepted: use ${[...ASYMMETRIC_ALGS, ...SECRET_ALGS].join(', ')}`, clientId);
}

function describeJoseFailure(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'client_assertion has expired (exp)';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return 'client_assertion aud is not this server: use the issuer or the URL of this endpoint';
    if (error.claim === 'iss' || error.claim === 'sub') return 'client_assertion iss and sub must both be the client_id';
    return `client_assertion claim ${error.claim} is invalid`;
  }
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'client_assertion is not signed by a key of this app (kid and alg select among its registered keys only)';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'client_assertion signature does not verify';
  return 'client_assertion is not a valid JWT';
}

/**
 * jose's own key selection over the app's keys only: kid, kty and alg pick; nothing is fetched.
 * One set per key-set object (the cached app's `jwks`, a fetched jwks_uri document): jose
 * imports a key once per set, and a set made per request imported it on every assertion.
 * A changed key set is a new object, so it gets a new set.
 */
const localSets = new WeakMap<ClientJwks, ReturnType<typeof createLocalJWKSet>>();
function localSet(jwks: ClientJwks): ReturnType<typeof createLocalJWKSet> {
  let set = localSets.get(jwks);
  if (set === undefined) {
    set = createLocalJWKSet(jwks as JSONWebKeySet);
    localSets.set(jwks, set);
  }
  return set;
}

async function verifyWithKeys(app: App, assertion: string, context: AssertionContext, options: Parameters<typeof jwtVerify>[2]): Promise<JWTVerifyResult> {
  const keysFor = async (refresh: boolean) => {
    try {
      return await context.keys.publicKeys(app, { refresh });
    } catch (error) {
      throw assertionFailure("this app's keys could not be had (jwks_uri)", app.clientId, (error as Error).message);
    }
  };
  try {
    return await jwtVerify(assertion, localSet(await keysFor(false)), options);
  } catch (error) {
    // A kid the cached set lacks: the app may have rotated; ClientKeys refetches at most once a minute.
    if (!(error instanceof joseErrors.JWKSNoMatchingKey) || app.jwksUri === null) throw error;
    return await jwtVerify(assertion, localSet(await keysFor(true)), options);
  }
}

/**
 * Verifies `assertion` for `app` by `method`; returns when it passes every
 * check of SPEC §8 and its `jti` was not seen before (which it then marks used).
 */
export async function verifyClientAssertion(app: App, method: AssertionMethod, assertion: string, context: AssertionContext): Promise<void> {
  const clientId = app.clientId;
  const options = {
    issuer: clientId,
    subject: clientId,
    audience: context.audiences,
    currentDate: new Date(context.now),
    requiredClaims: ['exp', 'jti'],
  };
  let payload: JWTPayload;
  try {
    if (method === 'client_secret_jwt') {
      const secret = context.keys.openSecret(app);
      // Only the Secret Key is an HMAC key here: never the app's public keys (key confusion, RFC 8725 §2.1).
      if (secret === undefined) throw assertionFailure('this app cannot use client_secret_jwt: it was not created with --token-endpoint-auth-method client_secret_jwt', clientId);
      ({ payload } = await jwtVerify(assertion, new TextEncoder().encode(secret), { ...options, algorithms: [...SECRET_ALGS] }));
    } else {
      if (app.jwks === null && app.jwksUri === null) throw assertionFailure('this app cannot use private_key_jwt: it registered no jwks or jwks_uri', clientId);
      ({ payload } = await verifyWithKeys(app, assertion, context, { ...options, algorithms: [...ASYMMETRIC_ALGS] }));
    }
  } catch (error) {
    if (error instanceof OAuthError) throw error;
    throw assertionFailure(describeJoseFailure(error), clientId, (error as Error).message);
  }
  const exp = payload.exp!;
  if (exp * 1000 > context.now + MAX_ASSERTION_LIFETIME_SECONDS * 1000) {
    throw assertionFailure(`client_assertion exp is more than ${MAX_ASSERTION_LIFETIME_SECONDS} seconds away`, clientId);
  }
  if (typeof payload.jti !== 'string' || payload.jti === '') throw assertionFailure('client_assertion needs a jti', clientId);
  // SPEC §8: a jti is used once, until the assertion's exp (RFC 7523 §3 item 7).
  if (!(await context.replays.firstUse(`assertion:${clientId}:${payload.jti}`, exp * 1000, context.now))) {
    throw assertionFailure('client_assertion jti was already used', clientId);
  }
}
