/**
 * The id_token rows' checks (issue 13): every id_token a measured run received is
 * verified afterwards, outside the measured window, against the server's JWKS
 * (signature, alg, kid published, aud, iss, nonce, exp in the future), and what one
 * signature costs is measured in the same run by bench/sign.mjs on the server's core.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';

/** A verifier for the id_tokens of one app; fetches the JWKS once (call again after a rotation). */
export async function idTokenVerifier(jwksUrl, { alg, audience, issuer, nonce }) {
  const response = await fetch(jwksUrl);
  if (response.status !== 200) throw new Error(`JWKS ${jwksUrl}: HTTP ${response.status}`);
  const jwks = createLocalJWKSet(await response.json());
  return async function verify(idToken) {
    if (typeof idToken !== 'string') throw new Error('no id_token in the answer');
    const { payload, protectedHeader } = await jwtVerify(idToken, jwks, { algorithms: [alg], audience, ...(issuer ? { issuer } : {}) });
    if (protectedHeader.alg !== alg) throw new Error(`id_token alg ${protectedHeader.alg}, expected ${alg}`);
    if (nonce !== undefined && payload.nonce !== nonce) throw new Error(`id_token nonce ${JSON.stringify(payload.nonce)}, expected ${JSON.stringify(nonce)}`);
    if (typeof payload.sub !== 'string' || payload.sub === '') throw new Error('id_token without sub');
    return payload;
  };
}

/** Verifies every id_token in `path` (one per line); returns how many and the first failures. */
export async function verifyFile(path, verify) {
  let count = 0;
  let failed = 0;
  const failures = [];
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line === '') continue;
    count += 1;
    try {
      await verify(line);
    } catch (error) {
      failed += 1;
      if (failures.length < 3) failures.push(error.message);
    }
  }
  return { count, failed, failures };
}

/**
 * bench/sign.mjs for RS256 and ES256, pinned to `cpus` (the server's core), a short run:
 * returns { RS256: {ways: {label: cpuUs}, min, signer}, ES256: … } where `signer` is
 * the way the Signer signs (jose CompactSign with a CryptoKey, 64 in flight) and `min`
 * the cheapest way measured: the limit one signature per request sets is 1e6 / min.
 */
export function measureSignatures(benchDir, cpus, seconds = 2) {
  const out = execFileSync(process.execPath, [join(benchDir, 'sign.mjs'), '--json'], {
    encoding: 'utf8',
    env: { ...process.env, BENCH_SIGN_ALGS: 'RS256,ES256', BENCH_SIGN_SECONDS: String(seconds), ...(cpus === undefined ? { BENCH_SIGN_CPU: '' } : { BENCH_SIGN_CPU: cpus }) },
  });
  const { rows } = JSON.parse(out);
  const result = {};
  for (const row of rows) {
    const entry = (result[row.alg] ??= { ways: {}, min: Infinity, signer: NaN, node: NaN });
    const label = `${row.label} ×${row.concurrency}`;
    entry.ways[label] = row.cpuUs;
    entry.min = Math.min(entry.min, row.cpuUs);
    if (label === 'jose CompactSign, CryptoKey ×64') entry.signer = row.cpuUs;
    if (label === 'node:crypto.sign (sync) ×1') entry.node = row.cpuUs;
  }
  return result;
}
