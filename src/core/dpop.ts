/**
 * DPoP proofs (RFC 9449 §4.3), the checks of SPEC §8: the signature and the
 * header are checked by a ProofSignature port (jose, at the edge: this file
 * never touches a JWS), the claims here, and the `jti` last, in the replay
 * cache every instance shares, so only a proof that passed everything else
 * is ever recorded (the cache holds at most what valid requests put there).
 */
import { hash } from 'node:crypto';
import { OAuthError } from './errors.js';
import type { ReplayCache } from './replays.js';

/** SPEC §8 / RFC 9449 §5.1 `dpop_signing_alg_values_supported`: asymmetric only (§4.2: never `none`, never a MAC). */
export const DPOP_ALGS = ['ES256', 'EdDSA', 'RS256', 'PS256'] as const;

/**
 * What a proof may be signed with: DPOP_ALGS, and `Ed25519`, the fully
 * specified name of EdDSA over Ed25519 (RFC 9864 §2.2), which oauth4webapi
 * and openid-client put in every proof made with an Ed25519 key.
 */
export const DPOP_ACCEPTED_ALGS: readonly string[] = [...DPOP_ALGS, 'Ed25519'];

/** SPEC §8: `iat` within ±60 s of the server's clock (RFC 9449 §11.1 leaves the window to the server). */
export const DPOP_IAT_WINDOW_SECONDS = 60;

/** What the signature check returns: the claims, and the RFC 7638 thumbprint of the header's `jwk`. */
export interface SignedProof {
  payload: Record<string, unknown>;
  jkt: string;
}

/**
 * Verifies a proof's JWS (RFC 9449 §4.3 items 2–6): compact JWS, `typ:
 * dpop+jwt`, `alg` one of DPOP_ALGS, `jwk` a public key that verifies the
 * signature. Throws ProofRejected, whose message says what was wrong.
 */
export interface ProofSignature {
  verify(proof: string): Promise<SignedProof>;
}

export class ProofRejected extends Error {}

/** Hands out and checks the server's nonces (core/dpop-nonce.ts); absent when GATEHOUSE_DPOP_NONCE is off. */
export interface NonceSource {
  current(now: number): string;
  isFresh(nonce: string, now: number): boolean;
}

export interface DpopDeps {
  proofs: ProofSignature;
  replays: Pick<ReplayCache, 'firstUse'>;
  nonces: NonceSource | undefined;
  now: number;
}

export interface ProofRequest {
  /** The DPoP header as received (undefined when absent). */
  header: string;
  /** RFC 9449 §4.3 items 8–9: the method and the URI (no query, no fragment) this request was sent to. */
  htm: string;
  htu: string;
  /** At a protected resource (§7): the access token the proof must hash into `ath`. */
  accessToken?: string;
}

/** `invalid_dpop_proof` with a description naming what was wrong (SPEC §8). */
export function proofError(description: string, detail?: string): OAuthError {
  return new OAuthError('invalid_dpop_proof', description, detail === undefined ? {} : { detail });
}

/** RFC 9449 §4.2 `ath`: base64url SHA-256 of the access token's ASCII. */
export function accessTokenHash(accessToken: string): string {
  return hash('sha256', accessToken, 'base64url');
}

/** RFC 9449 §4.3 item 9, RFC 3986 §6.2.2–6.2.3: compares URIs after syntax- and scheme-based normalisation, without query or fragment. */
export function normaliseHtu(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  url.search = '';
  url.hash = '';
  return url.href;
}

const nonEmptyString = (value: unknown): value is string => typeof value === 'string' && value !== '';

/**
 * Every check of SPEC §8 on one proof; returns the key's thumbprint, or
 * throws invalid_dpop_proof (use_dpop_nonce for the nonce, §8 of RFC 9449).
 */
export async function checkProof(deps: DpopDeps, request: ProofRequest): Promise<{ jkt: string }> {
  const { header, htm, htu } = request;
  // §4.3 item 1: exactly one DPoP header (Node joins repeated ones with a comma, which no JWS holds).
  if (header.includes(',')) throw proofError('more than one DPoP header was sent');
  let signed: SignedProof;
  try {
    signed = await deps.proofs.verify(header.trim());
  } catch (error) {
    if (error instanceof ProofRejected) throw proofError(`the DPoP proof is invalid: ${error.message}`);
    throw error;
  }
  const { payload, jkt } = signed;
  if (!nonEmptyString(payload['jti'])) throw proofError('the DPoP proof has no jti claim');
  if (payload['htm'] !== htm) throw proofError(`the DPoP proof's htm does not match the request method ${htm}`);
  const claimedUri = typeof payload['htu'] === 'string' ? normaliseHtu(payload['htu']) : undefined;
  const expectedUri = normaliseHtu(htu);
  // The description names the URI in its normalised (percent-encoded) form: it reaches the
  // WWW-Authenticate challenge, where the raw request path (`<`, `"`, …) must not (RFC 6750 §3).
  if (claimedUri === undefined || claimedUri !== expectedUri) throw proofError(`the DPoP proof's htu does not match ${expectedUri ?? 'this request'}`);
  const iat = payload['iat'];
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw proofError('the DPoP proof has no numeric iat claim');
  const nowSeconds = deps.now / 1000;
  if (iat < nowSeconds - DPOP_IAT_WINDOW_SECONDS) throw proofError(`the DPoP proof's iat is more than ${DPOP_IAT_WINDOW_SECONDS} seconds in the past`);
  if (iat > nowSeconds + DPOP_IAT_WINDOW_SECONDS) throw proofError(`the DPoP proof's iat is more than ${DPOP_IAT_WINDOW_SECONDS} seconds in the future`);
  if (request.accessToken !== undefined) {
    // §4.3 item 11, §7: the proof names the token it is sent with.
    if (payload['ath'] === undefined) throw proofError('the DPoP proof has no ath claim (the hash of the access token)');
    if (payload['ath'] !== accessTokenHash(request.accessToken)) throw proofError('the DPoP proof\'s ath does not match the access token');
  }
  if (deps.nonces !== undefined) {
    // §8, §9: a server-provided nonce, given within the last 5 minutes.
    const nonce = payload['nonce'];
    if (!nonEmptyString(nonce)) throw new OAuthError('use_dpop_nonce', 'the DPoP proof must carry the nonce of the DPoP-Nonce header');
    if (!deps.nonces.isFresh(nonce, deps.now)) throw new OAuthError('use_dpop_nonce', 'the DPoP proof\'s nonce is unknown or stale: use the one of the DPoP-Nonce header');
  }
  // §11.1: once, across every instance and endpoint, for as long as the iat check could pass.
  const expiresAt = (iat + DPOP_IAT_WINDOW_SECONDS + 1) * 1000;
  if (!(await deps.replays.firstUse(`dpop:${payload['jti']}`, expiresAt, deps.now))) {
    throw proofError('the DPoP proof\'s jti has been used before: make a new proof for every request');
  }
  return { jkt };
}
