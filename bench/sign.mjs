#!/usr/bin/env node
/**
 * What one id_token signature costs, per algorithm and per way of making it (issue 13/17):
 *
 *   node:crypto.sign        synchronous, on the calling thread (KeyObject)
 *   node:crypto.sign + cb   the same with a callback: a job on libuv's thread pool
 *   jose CompactSign        what the Signer does today (src/storage/keys/jose-signer.ts):
 *                           WebCrypto `subtle.sign` with a non-extractable CryptoKey; Node runs
 *                           it as a job on libuv's thread pool and resolves a promise
 *   jose SignJWT            the same through the JWT builder (claims handling on top)
 *
 * Each is measured one at a time (latency) and with 64 in flight (what a busy server does),
 * for a fixed 0.5 s warm-up then BENCH_SIGN_SECONDS (default 2) each. Reported per signature:
 * wall µs (elapsed / count) and CPU µs (process user+system time / count: every thread, so the
 * thread-pool work and the hop to it are counted). Pinned to one core by default
 * (`taskset -c $BENCH_SIGN_CPU`, default 0) so that CPU µs is what a one-core server pays:
 * re-execs itself under taskset when it is on PATH.
 *
 *   node bench/sign.mjs                 # all of RS256 PS256 ES256 EdDSA
 *   BENCH_SIGN_ALGS=RS256,ES256 BENCH_SIGN_SECONDS=3 node bench/sign.mjs
 *   node bench/sign.mjs --json          # machine-readable rows
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, sign as nodeSign, createPrivateKey } from 'node:crypto';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { CompactSign, SignJWT, importJWK, compactVerify, exportJWK } from 'jose';

const env = process.env;
const SECONDS = Number(env.BENCH_SIGN_SECONDS ?? 2);
const ALGS = (env.BENCH_SIGN_ALGS ?? 'RS256,PS256,ES256,EdDSA').split(',').filter(Boolean);
const CPU = env.BENCH_SIGN_CPU ?? '0';
const JSON_OUT = process.argv.includes('--json');

if (env.BENCH_SIGN_PINNED !== '1' && env.BENCH_SIGN_CPU !== '' && cpus().length >= 2 && spawnSync('sh', ['-c', 'command -v taskset'], { stdio: 'ignore' }).status === 0) {
  const child = spawnSync('taskset', ['-c', CPU, process.execPath, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit', env: { ...env, BENCH_SIGN_PINNED: '1' } });
  process.exit(child.status ?? 1);
}

// A payload the size of Gatehouse's id_token (iss, sub, aud, exp, iat, auth_time, nonce, azp, sid, at_hash).
const claims = {
  iss: 'https://gatehouse.example.com',
  sub: '2015000000000001',
  aud: 'Ow6u0sQmEWbPaqL4yY1t2kx3',
  exp: 1_790_000_000,
  iat: 1_789_996_400,
  auth_time: 1_789_996_300,
  nonce: 'n-0S6_WzA2Mj',
  azp: 'Ow6u0sQmEWbPaqL4yY1t2kx3',
  sid: 'q5V3JkqvS0bq0aFQf1C2dA',
  at_hash: 'HK6E_P6Dh8Y93mRNtsDB1Q',
};
const payload = new TextEncoder().encode(JSON.stringify(claims));

const KEYGEN = {
  RS256: ['rsa', { modulusLength: 2048 }],
  PS256: ['rsa', { modulusLength: 2048 }],
  ES256: ['ec', { namedCurve: 'P-256' }],
  EdDSA: ['ed25519', {}],
};
/** node:crypto.sign's (algorithm, key options) for each JWS alg (RFC 7518 §3; ES256 as IEEE P1363 r||s, not DER). */
const NODE = {
  RS256: (key) => ['sha256', key],
  PS256: (key) => ['sha256', { key, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: 32 }],
  ES256: (key) => ['sha256', { key, dsaEncoding: 'ieee-p1363' }],
  EdDSA: (key) => [null, key],
};

const b64 = (bytes) => Buffer.from(bytes).toString('base64url');

async function time(label, concurrency, once) {
  const run = async (seconds) => {
    let count = 0;
    const deadline = performance.now() + seconds * 1000;
    const worker = async () => {
      while (performance.now() < deadline) {
        await once();
        count += 1;
      }
    };
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(Array.from({ length: concurrency }, worker));
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    return { count, wallUs: (wall * 1000) / count, cpuUs: (cpu.user + cpu.system) / count };
  };
  await run(0.5);
  return { label, concurrency, ...(await run(SECONDS)) };
}

const rows = [];
for (const alg of ALGS) {
  const [type, options] = KEYGEN[alg];
  const { privateKey, publicKey } = generateKeyPairSync(type, options);
  const jwk = { ...(await exportJWK(privateKey)), alg };
  // As the Signer imports it: once, not extractable.
  const cryptoKey = await importJWK({ ...jwk, ext: false }, alg);
  const keyObject = createPrivateKey({ key: jwk, format: 'jwk' });
  const header = { alg, kid: 'bench', typ: 'JWT' };
  const signingInput = `${b64(JSON.stringify(header))}.${b64(payload)}`;
  const [hash, keyOptions] = NODE[alg](keyObject);

  const viaNode = () => `${signingInput}.${b64(nodeSign(hash, Buffer.from(signingInput), keyOptions))}`;
  const viaNodeAsync = () =>
    new Promise((resolve, reject) => nodeSign(hash, Buffer.from(signingInput), keyOptions, (error, signature) => (error ? reject(error) : resolve(`${signingInput}.${b64(signature)}`))));
  const viaCompact = () => new CompactSign(payload).setProtectedHeader(header).sign(cryptoKey);
  const viaCompactKeyObject = () => new CompactSign(payload).setProtectedHeader(header).sign(keyObject);
  const viaSignJwt = () => new SignJWT(claims).setProtectedHeader(header).sign(cryptoKey);

  // Each way must produce a JWS that verifies.
  for (const make of [viaNode, viaNodeAsync, viaCompact, viaCompactKeyObject, viaSignJwt]) await compactVerify(await make(), publicKey, { algorithms: [alg] });

  const ways = [
    ['node:crypto.sign (sync)', async () => viaNode()],
    ['node:crypto.sign, callback', viaNodeAsync],
    ['jose CompactSign, CryptoKey', viaCompact],
    ['jose CompactSign, KeyObject', viaCompactKeyObject],
    ['jose SignJWT, CryptoKey', viaSignJwt],
  ];
  for (const [label, once] of ways) {
    for (const concurrency of [1, 64]) {
      // Synchronous signing gains nothing from concurrency: measured once.
      if (label.endsWith('(sync)') && concurrency > 1) continue;
      const row = { alg, ...(await time(label, concurrency, once)) };
      rows.push(row);
      if (!JSON_OUT) console.error(`${alg.padEnd(6)} ${label.padEnd(30)} ×${String(concurrency).padEnd(3)} ${row.wallUs.toFixed(1).padStart(7)} µs wall  ${row.cpuUs.toFixed(1).padStart(7)} µs CPU  (${row.count})`);
    }
  }
}

if (JSON_OUT) {
  console.log(JSON.stringify({ node: process.version, cpu: cpus()[0]?.model, pinned: env.BENCH_SIGN_PINNED === '1' ? CPU : null, seconds: SECONDS, rows }, null, 2));
} else {
  console.log(`\nNode ${process.version}, jose ${(await import('jose/package.json', { with: { type: 'json' } }).catch(() => ({ default: { version: '?' } }))).default.version}, ${env.BENCH_SIGN_PINNED === '1' ? `pinned to CPU ${CPU}` : 'unpinned'}, ${SECONDS} s per cell, ${payload.length}-byte payload\n`);
  console.log('| alg | how | in flight | wall µs/sig | CPU µs/sig | sig/s on one core (1e6 / CPU µs) |');
  console.log('|---|---|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.alg} | ${r.label} | ${r.concurrency} | ${r.wallUs.toFixed(1)} | ${r.cpuUs.toFixed(1)} | ${Math.round(1e6 / r.cpuUs).toLocaleString('en-US')} |`);
}
