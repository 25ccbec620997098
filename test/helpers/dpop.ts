/**
 * DPoP proofs for tests (RFC 9449 §4.2), made with jose the way a client
 * makes them, plus the forgeries the attack tests need (alg none, HS256, a
 * private key in the header, another key than the token's).
 */
import { randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { accessTokenHash } from '../../src/core/dpop.js';
import { authorize, Browser, redirectParams } from './browserless-flow.js';

export interface ProofKey {
  alg: 'ES256' | 'EdDSA' | 'RS256' | 'PS256';
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
  privateJwk: JWK;
  jkt: string;
}

export async function proofKey(alg: ProofKey['alg'] = 'ES256'): Promise<ProofKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  return { alg, privateKey, publicKey, publicJwk, privateJwk: await exportJWK(privateKey), jkt: await calculateJwkThumbprint(publicJwk) };
}

export interface ProofOptions {
  htm?: string;
  htu: string;
  /** Seconds since the epoch; default now. */
  iat?: number;
  accessToken?: string;
  nonce?: string;
  /** Claims to add or override (undefined removes one). */
  claims?: Record<string, unknown>;
  /** Header members to add or override. */
  header?: Record<string, unknown>;
}

export async function makeProof(key: ProofKey, options: ProofOptions): Promise<string> {
  const claims: Record<string, unknown> = {
    jti: randomUUID(),
    htm: options.htm ?? 'POST',
    htu: options.htu,
    iat: options.iat ?? Math.floor(Date.now() / 1000),
    ...(options.accessToken === undefined ? {} : { ath: accessTokenHash(options.accessToken) }),
    ...(options.nonce === undefined ? {} : { nonce: options.nonce }),
    ...options.claims,
  };
  for (const name of Object.keys(claims)) if (claims[name] === undefined) delete claims[name];
  return new SignJWT(claims)
    .setProtectedHeader({ typ: 'dpop+jwt', alg: key.alg, jwk: key.publicJwk, ...options.header } as never)
    .sign(key.privateKey);
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unsecured JWS (RFC 7515 §A.5) that claims to be a proof. */
export function unsignedProof(key: ProofKey, options: ProofOptions): string {
  const claims = { jti: randomUUID(), htm: options.htm ?? 'POST', htu: options.htu, iat: Math.floor(Date.now() / 1000) };
  return `${b64({ typ: 'dpop+jwt', alg: 'none', jwk: key.publicJwk })}.${b64(claims)}.`;
}

/** A proof MACed with HS256 under a made-up secret, carrying a public jwk (the key-confusion attack). */
export async function hmacProof(key: ProofKey, options: ProofOptions): Promise<string> {
  const claims = { jti: randomUUID(), htm: options.htm ?? 'POST', htu: options.htu, iat: Math.floor(Date.now() / 1000) };
  return new SignJWT(claims)
    .setProtectedHeader({ typ: 'dpop+jwt', alg: 'HS256', jwk: key.publicJwk } as never)
    .sign(new TextEncoder().encode('a shared secret of thirty-two bytes!!'));
}

/**
 * The code flow of a confidential app (client_secret_post) whose token
 * request carries a DPoP proof of `key`: the tokens come back bound to it.
 */
export async function boundCodeTokens(
  base: string,
  client: { clientId: string; clientSecret: string; redirectUri: string },
  person: { username: string; password: string },
  key: ProofKey,
  scope = 'basic email',
): Promise<{ access_token: string; refresh_token?: string; token_type: string }> {
  const final = await authorize(new Browser(base), { response_type: 'code', client_id: client.clientId, redirect_uri: client.redirectUri, scope }, person);
  const code = redirectParams(final.location!).get('code')!;
  const tokenUrl = `${base}/oauth/2.0/token`;
  const response = await fetch(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', dpop: await makeProof(key, { htu: tokenUrl }) },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: client.redirectUri, client_id: client.clientId, client_secret: client.clientSecret }),
  });
  if (response.status !== 200) throw new Error(`the token endpoint answered ${response.status}: ${await response.text()}`);
  return response.json() as Promise<{ access_token: string; refresh_token?: string; token_type: string }>;
}
