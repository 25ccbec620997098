/**
 * The id_token (OIDC Core §2, SPEC §7 "ID tokens"): claims from the app, the
 * user and the sign-in, signed through the Signer port with the app's
 * id_token_signed_response_alg. Everything here is a few object writes and at
 * most two hashes: the signature (~224 µs for RS256) is the whole cost.
 */
import { createHash } from 'node:crypto';
import { scopeClaims, subjectFor } from './claims.js';
import type { App, Lifetimes, SignInContext, SigningAlg, User } from './model.js';
import type { Signer } from './signing.js';

export interface IdTokenDeps {
  signer: Pick<Signer, 'sign'>;
  issuer: string;
  lifetimes: Pick<Lifetimes, 'idToken'>;
  /** Keys the pairwise `sub` (the same key as getInfo's openid). */
  openidKey: Buffer;
  /** ms */
  now: number;
}

export interface IdTokenInput {
  app: App;
  user: User;
  signIn: SignInContext;
  /** The granted scope: its claims go in only when no access token is issued (OIDC Core §5.4). */
  scope: readonly string[];
  /** The access token issued beside it: adds at_hash, and the scope claims stay at userinfo. */
  accessToken?: string;
  /** The code issued beside it (response_type `code id_token`): adds c_hash (OIDC Core §3.3.2.11). */
  code?: string;
}

/**
 * OIDC Core §3.1.3.6 / §3.3.2.11: the base64url of the left half of the hash
 * that the JWS alg names — SHA-256 for RS256, PS256, ES256; SHA-512 for
 * EdDSA with Ed25519 (the hash Ed25519 uses, as OIDF's conformance suite and
 * node-oidc-provider compute it).
 */
export function halfHash(alg: SigningAlg, value: string): string {
  const digest = createHash(alg === 'EdDSA' ? 'sha512' : 'sha256')
    .update(value, 'ascii')
    .digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

/** The id_token's claims, unsigned (exported for tests and for the id_token_hint checks). */
export function idTokenClaims(deps: Omit<IdTokenDeps, 'signer'>, input: IdTokenInput): Record<string, unknown> {
  const { app, user, signIn } = input;
  const iat = Math.floor(deps.now / 1000);
  const claims: Record<string, unknown> = {
    iss: deps.issuer,
    sub: subjectFor(deps.openidKey, app, user.uid),
    aud: app.clientId,
    exp: iat + deps.lifetimes.idToken,
    iat,
    auth_time: Math.floor(signIn.authTime / 1000),
  };
  if (signIn.nonce !== undefined) claims['nonce'] = signIn.nonce;
  // OIDC Core §2: azp is the party the token was issued to; with a single audience it equals aud.
  claims['azp'] = app.clientId;
  claims['sid'] = signIn.sid;
  if (input.accessToken !== undefined) claims['at_hash'] = halfHash(app.idTokenAlg, input.accessToken);
  if (input.code !== undefined) claims['c_hash'] = halfHash(app.idTokenAlg, input.code);
  if (input.accessToken === undefined) Object.assign(claims, scopeClaims(deps.issuer, user, input.scope));
  return claims;
}

/** A signed id_token (compact JWS, header alg = app.idTokenAlg, kid, typ JWT). */
export function mintIdToken(deps: IdTokenDeps, input: IdTokenInput): Promise<string> {
  return deps.signer.sign(idTokenClaims(deps, input), { alg: input.app.idTokenAlg });
}
