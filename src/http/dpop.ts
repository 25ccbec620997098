/**
 * DPoP at the HTTP edge (RFC 9449, SPEC §8): the proof header as received,
 * the URI proofs name (`htu`: the issuer's origin and path, never the Host
 * header a client may forge), the DPoP-Nonce of every answer when nonces are
 * on, and the DPoP challenge of a protected resource (§7.1).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { checkProof, DPOP_ALGS } from '../core/dpop.js';
import { oauthError } from '../core/errors.js';
import type { Services } from './context.js';

/** The DPoP header; repeated headers come joined by a comma, which the proof check refuses (§4.3 item 1). */
export function dpopHeader(request: FastifyRequest): string | undefined {
  const value = request.headers.dpop;
  return Array.isArray(value) ? value.join(', ') : value;
}

/** RFC 9449 §4.3 item 9: the request's URI without query or fragment, as the issuer publishes it. */
export function requestHtu(issuer: string, request: FastifyRequest): string {
  const path = request.url.split('?', 1)[0]!;
  return `${issuer}${path}`;
}

/** RFC 9449 §8: with nonces on, every answer (success or error) carries the current nonce. */
export function offerNonce(services: Pick<Services, 'dpopNonces' | 'clock'>, reply: FastifyReply): void {
  if (services.dpopNonces !== undefined) reply.header('dpop-nonce', services.dpopNonces.current(services.clock.now()));
}

const quoted = (value: string) => value.replace(/["\\]/g, '');

/** RFC 9449 §7.1: `DPoP error="…", error_description="…", algs="…"` (error first, as SPEC §8 writes it). */
export function dpopChallenge(error: string, description: string): string {
  return `DPoP error="${error}", error_description="${quoted(description)}", algs="${DPOP_ALGS.join(' ')}"`;
}

/**
 * RFC 9449 §7.1: the proof beside an `Authorization: DPoP` token, checked
 * for this request and (by ath) this token; returns its key's thumbprint or
 * throws invalid_dpop_proof / use_dpop_nonce.
 */
export async function resourceProofKey(services: Services, request: FastifyRequest, accessToken: string): Promise<string> {
  const header = dpopHeader(request);
  if (header === undefined || header === '') throw oauthError('invalid_dpop_proof', 'the DPoP scheme needs a DPoP proof header');
  const deps = { proofs: services.dpopProofs, replays: services.stores.replays, nonces: services.dpopNonces, now: services.clock.now() };
  const { jkt } = await checkProof(deps, { header, htm: request.method, htu: requestHtu(services.config.issuer, request), accessToken });
  return jkt;
}
