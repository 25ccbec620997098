/**
 * DPoP at the token endpoint (RFC 9449 §5, SPEC §8): which key, if any, the
 * tokens of this request are bound to. Runs once per request, after client
 * authentication and before the grant, so every grant binds the same way.
 */
import { checkProof, proofError, type NonceSource, type ProofSignature } from './dpop.js';
import type { App } from './model.js';
import type { ReplayCache } from './replays.js';

export interface TokenEndpointDpop {
  proofs: ProofSignature;
  nonces: NonceSource | undefined;
  /** The token endpoint's URL as clients address it (the issuer's), the proofs' `htu`. */
  htu: string;
}

/**
 * The request's DPoP proof, if it sent one; a request without one is refused here when the app
 * requires DPoP. Synchronous, so that the Bearer requests of the hot path await nothing for DPoP.
 */
export function presentedProof(app: App, proof: { header: string | undefined; method: string } | undefined): { header: string; method: string } | undefined {
  const header = proof?.header;
  if (proof === undefined || header === undefined || header === '') {
    if (app.requireDpop) throw proofError('this app requires DPoP: send a DPoP proof with every token request');
    return undefined;
  }
  return { header, method: proof.method };
}

/** The thumbprint of a presented proof's key, once the proof is checked (RFC 9449 §4.3). */
export async function tokenRequestKey(
  deps: TokenEndpointDpop & { replays: Pick<ReplayCache, 'firstUse'>; now: number },
  proof: { header: string; method: string },
): Promise<string> {
  // htm is the method actually used: POST, or GET for the Baidu clients SPEC §1 still serves.
  const { jkt } = await checkProof(deps, { header: proof.header, htm: proof.method, htu: deps.htu });
  return jkt;
}
