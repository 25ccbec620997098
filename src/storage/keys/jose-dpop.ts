/**
 * The signature half of a DPoP proof check (RFC 9449 §4.3 items 2–6), with
 * jose: the algorithm allow-list is given to jose before any key is looked at
 * (so `none` and every MAC are refused by name), the key is the header's own
 * `jwk` (jose's EmbeddedJWK refuses a private or symmetric one), and the
 * thumbprint is RFC 7638's. The claims are core/dpop.ts's business.
 */
import { calculateJwkThumbprint, compactVerify, decodeProtectedHeader, EmbeddedJWK, type JWK } from 'jose';
import { DPOP_ACCEPTED_ALGS, DPOP_ALGS, ProofRejected, type ProofSignature, type SignedProof } from '../../core/dpop.js';

const ALLOWED = [...DPOP_ACCEPTED_ALGS];
const ADVERTISED = DPOP_ALGS.join(', ');
const decoder = new TextDecoder();
/** JWK members that only a private key has (RFC 7518 §6.2.2, §6.3.2; RFC 8037 §2). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

function describe(error: unknown): string {
  const code = (error as { code?: string }).code;
  switch (code) {
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'its signature does not verify with the key in its jwk header';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return `alg must be one of ${ADVERTISED}`;
    case 'ERR_JWS_INVALID':
    case 'ERR_JOSE_NOT_SUPPORTED':
    case 'ERR_JWK_INVALID':
      return (error as Error).message;
    default:
      return 'the jwk header is not a usable public key';
  }
}

/**
 * A client signs all its proofs with one key (RFC 9449 §2), so the key jose imports from
 * a proof's `jwk` header, and its thumbprint, are kept per (alg, jwk): importing the JWK was
 * the largest single cost of a DPoP request after the signature check (docs/performance.md).
 * The entry is exactly what EmbeddedJWK answers for that header (its checks depend on
 * nothing else); a refused key is not kept. At most KEPT keys, the oldest dropped first.
 */
const KEPT = 1024;
const keys = new Map<string, { key: ReturnType<typeof EmbeddedJWK>; jkt: Promise<string> }>();

function embedded(header: ReturnType<typeof decodeProtectedHeader>): { key: ReturnType<typeof EmbeddedJWK>; jkt: Promise<string> } {
  const id = `${header.alg}\u0000${JSON.stringify(header.jwk)}`;
  let entry = keys.get(id);
  if (entry === undefined) {
    entry = { key: EmbeddedJWK(header), jkt: calculateJwkThumbprint(header.jwk as JWK, 'sha256') };
    if (keys.size >= KEPT) keys.delete(keys.keys().next().value!);
    keys.set(id, entry);
    Promise.all([entry.key, entry.jkt]).catch(() => keys.delete(id));
  }
  return entry;
}

export const joseProofSignature: ProofSignature = {
  async verify(proof: string): Promise<SignedProof> {
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(proof);
    } catch {
      throw new ProofRejected('it is not a compact JWS');
    }
    if (header.typ !== 'dpop+jwt') throw new ProofRejected('its typ header must be dpop+jwt');
    if (typeof header.alg !== 'string' || !ALLOWED.includes(header.alg)) {
      throw new ProofRejected(`alg must be one of ${ADVERTISED}`);
    }
    const jwk = header.jwk as Record<string, unknown> | undefined;
    if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw new ProofRejected('its jwk header must be a public JWK');
    // §4.3 item 5: a public key; a proof that carries private material is refused outright, not just ignored.
    if (PRIVATE_MEMBERS.some((member) => member in jwk)) throw new ProofRejected('its jwk header must not contain a private or symmetric key');
    const kept = embedded(header);
    let payloadBytes: Uint8Array;
    try {
      ({ payload: payloadBytes } = await compactVerify(proof, () => kept.key, { algorithms: ALLOWED }));
    } catch (error) {
      throw new ProofRejected(describe(error));
    }
    let payload: unknown;
    try {
      payload = JSON.parse(decoder.decode(payloadBytes));
    } catch {
      throw new ProofRejected('its payload is not JSON');
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new ProofRejected('its payload is not a JSON object');
    return { payload: payload as Record<string, unknown>, jkt: await kept.jkt };
  },
};
