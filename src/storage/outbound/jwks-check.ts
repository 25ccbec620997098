/**
 * Whether a jwks_uri serves a JWK Set (RFC 7591 §2), fetched under the rules
 * of every outbound URL (fetch.ts: no loopback, private or link-local address,
 * also after redirects and DNS; 5 s; 64 KiB). Resolves to why it is refused,
 * or undefined. jose parses the set (createLocalJWKSet), not a hand-made check.
 */
import { createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { OutboundRefused, outboundFetch, type OutboundPolicy } from './fetch.js';

/** A jwks_uri may redirect a little (a CDN), each hop checked like the first. */
const MAX_REDIRECTS = 3;

export async function checkJwksUri(uri: string, policy: OutboundPolicy): Promise<string | undefined> {
  let body: Buffer;
  try {
    const response = await outboundFetch(uri, { headers: { accept: 'application/jwk-set+json, application/json' }, maxRedirects: MAX_REDIRECTS }, policy);
    if (response.status !== 200) return `fetching it answered HTTP ${response.status}`;
    if (response.truncated) return 'the JWK Set is larger than 64 KiB';
    body = response.body;
  } catch (error) {
    return error instanceof OutboundRefused ? `it may not be fetched: ${error.message}` : `fetching it failed: ${(error as Error).message}`;
  }
  try {
    createLocalJWKSet(JSON.parse(body.toString('utf8')) as JSONWebKeySet);
  } catch {
    return 'it does not serve a JWK Set ({"keys": [...]})';
  }
  return undefined;
}
