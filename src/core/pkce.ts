/** PKCE (RFC 7636). */
import { createHash, timingSafeEqual } from 'node:crypto';
import { oauthError } from './errors.js';

export type ChallengeMethod = 'S256' | 'plain';

// RFC 7636 §4.1 / §4.2: 43–128 unreserved characters.
const VERIFIER_SHAPE = /^[A-Za-z0-9._~-]{43,128}$/;

/** Checks code_challenge and its method at the authorize endpoint. */
export function parseChallenge(challenge: string | undefined, method: string | undefined): { challenge: string; method: ChallengeMethod } | undefined {
  if (challenge === undefined) {
    if (method !== undefined) throw oauthError('invalid_request', 'code_challenge_method was sent without code_challenge');
    return undefined;
  }
  // RFC 7636 §4.3: without a method the challenge is plain.
  const chosen = method ?? 'plain';
  if (chosen !== 'S256' && chosen !== 'plain') {
    throw oauthError('invalid_request', 'code_challenge_method must be S256 or plain');
  }
  if (!VERIFIER_SHAPE.test(challenge)) {
    throw oauthError('invalid_request', 'code_challenge must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~');
  }
  return { challenge, method: chosen };
}

export function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/**
 * Checks the code_verifier at the token endpoint against what the code was issued with.
 * RFC 9700 §2.1.1: a verifier for a code issued without a challenge is a downgrade attempt.
 */
export function verifyPkce(stored: { challenge: string | null; method: ChallengeMethod | null }, verifier: string | undefined): void {
  if (stored.challenge === null) {
    if (verifier !== undefined) throw oauthError('invalid_grant', 'code_verifier was sent but the code was issued without code_challenge');
    return;
  }
  if (verifier === undefined) throw oauthError('invalid_grant', 'code_verifier is missing: the code was issued with a code_challenge');
  if (!VERIFIER_SHAPE.test(verifier)) {
    throw oauthError('invalid_request', 'code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~');
  }
  const computed = Buffer.from(stored.method === 'S256' ? s256(verifier) : verifier);
  const expected = Buffer.from(stored.challenge);
  if (computed.length !== expected.length || !timingSafeEqual(computed, expected)) {
    throw oauthError('invalid_grant', 'code_verifier does not match the code_challenge');
  }
}
