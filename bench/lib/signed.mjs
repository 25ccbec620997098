/**
 * What the sender-constrained rows send (issue 17): DPoP proofs (RFC 9449 §4.2) and
 * private_key_jwt client assertions (RFC 7523 §2.2), each with its own jti, signed with
 * jose before the measured window (signing is the client's cost, not the server's).
 */
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

export async function es256Key() {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  return { privateKey, publicJwk: { ...jwk, alg: 'ES256', use: 'sig', kid: 'bench-1' } };
}

/** `count` DPoP proofs for POST `htu`, issued now (the server accepts iat within ±60 s). */
export async function dpopProofs(key, htu, count) {
  const { kid: _kid, alg: _alg, use: _use, ...jwk } = key.publicJwk;
  const proofs = [];
  const iat = Math.floor(Date.now() / 1000);
  for (let i = 0; i < count; i++) {
    proofs.push(await new SignJWT({ htm: 'POST', htu, jti: randomUUID(), iat }).setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk }).sign(key.privateKey));
  }
  return proofs;
}

/** `count` client assertions of `clientId` for `audience`, expiring in 4 minutes (the server allows at most 5). */
export async function clientAssertions(key, clientId, audience, count) {
  const assertions = [];
  const now = Math.floor(Date.now() / 1000);
  for (let i = 0; i < count; i++) {
    assertions.push(
      await new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid: key.publicJwk.kid })
        .setIssuer(clientId)
        .setSubject(clientId)
        .setAudience(audience)
        .setJti(randomUUID())
        .setIssuedAt(now)
        .setExpirationTime(now + 240)
        .sign(key.privateKey),
    );
  }
  return assertions;
}
