#!/usr/bin/env node
/**
 * `npm run bench`: Gatehouse against the peers a user would pick instead, in ONE run,
 * on this machine (issue 7; docs/performance.md explains every figure).
 *
 * Server pinned to core 0 (taskset), wrk (1 thread, 50 keep-alive connections) on
 * core 1, a warm-up then a measured run per row. Gatehouse runs as in production
 * (`node dist/cli.js serve`, NODE_ENV=production) on a fresh SQLite database, with its
 * one log line per request on (GATEHOUSE_LOG_LEVEL=info; a second pass at warn shows
 * what that line costs), then with 1,000,000 live tokens already stored, then on
 * PostgreSQL when GATEHOUSE_BENCH_DATABASE_URL names a server (a fresh database is
 * created there and dropped afterwards).
 *
 * Every row is checked before and after (a real token / active:true / a user), and a
 * row with a non-2xx answer or a socket error is marked INVALID.
 *
 * Knobs: BENCH_DURATION (10 s), BENCH_WARMUP (3 s), BENCH_CONNECTIONS (50),
 * BENCH_PEERS (raw-http,durable-floor,fastify-raw,oidc-provider,node-oauth2-server), BENCH_LIVE_TOKENS
 * (1000000; 0 skips that pass), BENCH_LOG_LEVELS (info,warn), BENCH_SKIP_BUILD=1,
 * BENCH_ONLY (comma list of passes: peers,gatehouse,warn,million,postgres), BENCH_ENDPOINTS
 * (comma list; getLoggedInUser, code exchange and refresh go together; `code exchange + openid`
 * names both id_token rows, `code exchange + openid (RS256)` / `(ES256)` one; listing only
 * those runs Gatehouse's token row, the id_token rows and oidc-provider's openid exchange),
 * BENCH_WRITE_RESULTS (0: do not write bench/RESULTS.md; a partial run never writes it), BENCH_SERVER_CPUS (0), BENCH_LOAD_CPUS (1),
 * BENCH_CPU_PROF (a directory: write a V8 CPU profile of each Gatehouse server and of the durable floor there), BENCH_NODE_FLAGS
 * (more node flags for each Gatehouse server, space-separated: `--trace-gc`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signInAndConsent } from './lib/flow.mjs';
import { cpuSeconds, peakRssMb, startServer, stopServer, waitReady } from './lib/proc.mjs';
import { idTokenVerifier, measureSignatures, verifyFile } from './lib/id-tokens.mjs';
import { openidTable, resultsTable, targetsTable } from './lib/report.mjs';
import { runWrk } from './lib/wrk.mjs';
import { clientAssertions, dpopProofs, es256Key } from './lib/signed.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = join(BENCH, '..');
const PEERS_DIR = join(BENCH, 'peers');
const env = process.env;
const DURATION = Number(env.BENCH_DURATION ?? 10);
const WARMUP = Number(env.BENCH_WARMUP ?? 3);
const CONNECTIONS = Number(env.BENCH_CONNECTIONS ?? 50);
const LIVE_TOKENS = Number(env.BENCH_LIVE_TOKENS ?? 1_000_000);
const LOG_LEVELS = (env.BENCH_LOG_LEVELS ?? 'info,warn').split(',').filter(Boolean);
const PEERS = (env.BENCH_PEERS ?? 'raw-http,durable-floor,fastify-raw,oidc-provider,node-oauth2-server').split(',').filter(Boolean);
const ONLY = env.BENCH_ONLY ? new Set(env.BENCH_ONLY.split(',')) : undefined;
const PG_URL = env.GATEHOUSE_BENCH_DATABASE_URL || undefined;
const pass = (name) => ONLY === undefined || ONLY.has(name);
/**
 * The sender-constrained rows (issue 17): client credentials with a DPoP proof, with private_key_jwt, and
 * issuing a JWT access token (RFC 9068), signed with the app's alg: ES256, and RS256 whose one signature
 * per request is the row's floor (bench/sign.mjs).
 */
const JWT_ROW = (alg) => `token + JWT access token (${alg})`;
const CONSTRAINED = ['token + DPoP', 'token + private_key_jwt', JWT_ROW('ES256'), JWT_ROW('RS256')];
const ALL = env.BENCH_ENDPOINTS
  ? env.BENCH_ENDPOINTS.split(',').map((e) => e.trim())
  : ['token', 'introspect', 'getLoggedInUser', 'code exchange', 'refresh', 'code exchange + openid', ...CONSTRAINED];
/** The id_token rows (issue 13): a code exchange with scope openid, per id_token alg. */
const OPENID_ALGS = ['RS256', 'ES256'];
const openidEndpoint = (alg) => `code exchange + openid (${alg})`;
const wantsOpenid = (endpoints, alg) => endpoints.includes('code exchange + openid') || endpoints.includes(openidEndpoint(alg));
const OPENID_WANTED = OPENID_ALGS.filter((alg) => wantsOpenid(ALL, alg));
/** The peers' token and introspection rows (the ceiling) run unless only id_token rows were asked for. */
const CEILING_WANTED = ALL.some((endpoint) => !endpoint.startsWith('code exchange + openid'));

const log = (...args) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...args);
const die = (message) => {
  console.error(`bench: ${message}`);
  process.exit(1);
};
const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;

// ------------------------------------------------------------------ preflight
if (!has('wrk')) {
  if (process.getuid?.() === 0 && has('apt-get')) {
    log('wrk is missing: installing it from Debian (apt-get install -y wrk)');
    spawnSync('apt-get', ['update'], { stdio: 'inherit' });
    if (spawnSync('apt-get', ['install', '-y', 'wrk'], { stdio: 'inherit' }).status !== 0) die('apt-get install -y wrk failed');
  } else {
    die('wrk is not installed: apt-get install -y wrk');
  }
}
const PINNED = has('taskset') && cpus().length >= 2;
const SERVER_CPUS = PINNED ? (env.BENCH_SERVER_CPUS ?? '0') : undefined;
const LOAD_CPUS = PINNED ? (env.BENCH_LOAD_CPUS ?? '1') : undefined;
if (!PINNED) log('warning: taskset missing or fewer than 2 CPUs: running unpinned');

if (env.BENCH_SKIP_BUILD !== '1') {
  log('building (tsc -p .)');
  const build = spawnSync('npx', ['tsc', '-p', '.'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) die('the build failed');
}
if (!existsSync(join(ROOT, 'dist', 'cli.js'))) die('dist/cli.js is missing: the build did not produce it');
if (!existsSync(join(PEERS_DIR, 'node_modules'))) {
  log('installing the peers (npm ci --prefix bench/peers)');
  if (spawnSync('npm', ['ci', '--prefix', PEERS_DIR, '--no-audit', '--no-fund'], { stdio: 'inherit' }).status !== 0) die('npm ci for bench/peers failed');
}

const STAMP = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
const OUT = join(BENCH, 'results', STAMP);
mkdirSync(OUT, { recursive: true });
const TMP = join(tmpdir(), `gatehouse-bench-${STAMP}`);
mkdirSync(TMP, { recursive: true });
let nextPort = 4300;
const rows = [];

// ------------------------------------------------------------------ measuring
const basic = (id, secret) => {
  const encode = (s) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`;
};

async function post(url, authorization, body) {
  const response = await fetch(url, { method: 'POST', headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' }, body });
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text };
}

/** Warm-up, then the measured run; server CPU and peak RSS from /proc around it. */
async function measure(row, server, wrkOptions, check) {
  const problems = [];
  try {
    await check();
  } catch (error) {
    log(`  check before FAILED: ${error.message}`);
    rows.push({ ...row, rps: NaN, p50: NaN, p99: NaN, valid: false, problems: [`check before: ${error.message}`] });
    return undefined;
  }
  if (WARMUP > 0) await runWrk({ ...wrkOptions, env: wrkOptions.warmupEnv ?? wrkOptions.env, seconds: WARMUP, connections: CONNECTIONS, cpus: LOAD_CPUS });
  const cpu0 = cpuSeconds(server.pid);
  const t0 = performance.now();
  // The measured window on CLOCK_MONOTONIC (µs), the clock of a V8 CPU profile's samples:
  // bench/profile-rows.mjs reads each row's own samples out of its server's profile.
  const fromUs = Number(process.hrtime.bigint() / 1000n);
  const result = await runWrk({ ...wrkOptions, seconds: DURATION, connections: CONNECTIONS, cpus: LOAD_CPUS });
  const toUs = Number(process.hrtime.bigint() / 1000n);
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(server.pid) - cpu0;
  writeFileSync(join(OUT, 'wrk.log'), `\n### ${row.server} ${row.database ?? ''} ${row.log ?? ''} ${row.endpoint}\n${result.raw}`, { flag: 'a' });
  if (result.non2xx > 0) problems.push(`${result.non2xx} non-2xx`);
  if (result.errors > 0) problems.push(`${result.errors} socket errors`);
  if (result.bad > 0) problems.push(`${result.bad} unexpected answers`);
  if (result.exhausted > 0) problems.push(`${result.exhausted} requests found no unused credential left`);
  try {
    await check();
  } catch (error) {
    problems.push(`check after: ${error.message}`);
  }
  const measured = {
    ...row,
    rps: result.rps,
    p50: result.p50,
    p99: result.p99,
    requests: result.requests,
    cpuUsPerReq: (cpu * 1e6) / result.requests,
    serverCores: cpu / wall,
    rssMb: peakRssMb(server.pid),
    window: { pid: server.pid, fromUs, toUs },
    valid: problems.length === 0,
    problems,
  };
  rows.push(measured);
  log(`  => ${row.endpoint}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, ${measured.cpuUsPerReq.toFixed(1)} µs/req, ${measured.serverCores.toFixed(2)} cores, peak RSS ${measured.rssMb.toFixed(0)} MB${problems.length ? ` INVALID: ${problems.join('; ')}` : ''}`);
  return measured;
}

const fixed = (url, method, body, authorization) => ({ url, script: 'fixed.lua', env: { BENCH_METHOD: method, BENCH_BODY: body, BENCH_AUTHORIZATION: authorization } });

// ------------------------------------------------------------------ peers (bench-peers harness, vendored)
const PEER_DEFS = {
  'raw-http': { file: 'raw-http.mjs', token: '/token', introspect: '/token/introspection' },
  'fastify-raw': { file: 'fastify-raw.mjs', token: '/token', introspect: '/token/introspection' },
  'oidc-provider': { file: 'oidc-provider.mjs', token: '/token', introspect: '/token/introspection' },
  'node-oauth2-server': { file: 'node-oauth2-server.mjs', token: '/token', introspect: undefined },
  // Gatehouse's own measuring stick, not a vendored peer: the least a durable token endpoint does (bench/floor.mjs).
  'durable-floor': { file: '../floor.mjs', token: '/token', introspect: '/token/introspection', codes: '/authorize' },
};

/** `database`: the durable floor on PostgreSQL (bench/floor.mjs with FLOOR_DATABASE_URL), for the PostgreSQL rows. */
async function benchPeer(name, label = name, database) {
  const def = PEER_DEFS[name];
  if (!def) die(`unknown peer ${name}`);
  // The ceiling rows stay on whatever BENCH_ENDPOINTS says; a peer with nothing to measure is not started.
  if (!CEILING_WANTED) return;
  const port = nextPort++;
  const base = `http://127.0.0.1:${port}`;
  log(`peer ${label} (${base})`);
  // The floor is profiled too, so that a Gatehouse row and its floor's are read side by side.
  const profile = env.BENCH_CPU_PROF && name === 'durable-floor' ? ['--cpu-prof', `--cpu-prof-dir=${env.BENCH_CPU_PROF}`] : [];
  const server = startServer({ command: process.execPath, args: [...profile, def.file], cwd: PEERS_DIR, env: { PORT: String(port), HOST: '127.0.0.1', ...(database ? { FLOOR_DATABASE_URL: database.url } : {}) }, logFile: join(OUT, `server-${label}${database ? `-${database.name}` : ''}.log`), cpus: SERVER_CPUS });
  const at = database ? { database: database.name } : {};
  try {
    await waitReady(server, base + def.token);
    const auth = basic('bench-client', 'bench-secret');
    const issue = async () => {
      const r = await post(base + def.token, auth, 'grant_type=client_credentials&scope=basic');
      if (r.status !== 200 || typeof r.json?.access_token !== 'string') throw new Error(`token: HTTP ${r.status} ${r.text.slice(0, 200)}`);
      return r.json.access_token;
    };
    await measure({ server: label, ...at, endpoint: 'token' }, server, fixed(base + def.token, 'POST', 'grant_type=client_credentials&scope=basic', auth), issue);
    if (def.introspect) {
      const token = await issue();
      const active = async () => {
        const r = await post(base + def.introspect, auth, `token=${token}&token_type_hint=access_token`);
        if (r.status !== 200 || r.json?.active !== true) throw new Error(`introspect: HTTP ${r.status} ${r.text.slice(0, 200)}`);
      };
      await measure({ server: label, ...at, endpoint: 'introspect' }, server, fixed(base + def.introspect, 'POST', `token=${token}&token_type_hint=access_token`, auth), active);
    }
    // The durable floor of a code exchange and a refresh (bench/floor.mjs, SQLite): what stops those rows.
    if (def.codes && !database && ALL.includes('code exchange')) {
      const cc = rows.find((r) => r.server === label && r.endpoint === 'token' && r.database === undefined && r.valid);
      const query = new URLSearchParams({ response_type: 'code', client_id: 'bench-client', redirect_uri: REDIRECT_URI, scope: 'basic', state: 'bench' }).toString();
      await codeRows({ row: (endpoint) => ({ server: label, endpoint }), label, server, authorizeUrl: `${base}${def.codes}?${query}`, cookie: 'floor=1', tokenUrl: base + def.token, auth, rate: Number.isFinite(cc?.rps) ? cc.rps : 30_000 });
    }
  } catch (error) {
    log(`  ${label} failed: ${error.message}`);
  } finally {
    await stopServer(server);
  }
}

/**
 * oidc-provider's code exchange with scope openid and an RS256 id_token (issue 13): the
 * vendored peer in its BENCH_MINT_CODES=1 mode, which mints codes through the provider's
 * models at a loopback-only route (bench/peers/README.md), in a process of its own so that
 * the rows above ran on the peer exactly as vendored.
 */
async function benchPeerOpenid() {
  const label = 'oidc-provider';
  const port = nextPort++;
  const base = `http://127.0.0.1:${port}`;
  log(`peer ${label}, code exchange + openid (${base})`);
  const server = startServer({ command: process.execPath, args: ['oidc-provider.mjs'], cwd: PEERS_DIR, env: { PORT: String(port), HOST: '127.0.0.1', BENCH_MINT_CODES: '1' }, logFile: join(OUT, `server-${label}-openid.log`), cpus: SERVER_CPUS });
  const auth = basic('bench-oidc-client', 'bench-secret');
  const redirect = 'https://app.example.com/cb';
  const tokenUrl = base + '/token';
  try {
    await waitReady(server, tokenUrl);
    const mint = async (count) => {
      const codes = [];
      // Batches of 5,000: one request each, outside any measured window.
      while (codes.length < count) {
        const r = await fetch(`${base}/bench/mint-codes?count=${Math.min(5000, count - codes.length)}`, { method: 'POST' });
        if (r.status !== 200) throw new Error(`mint-codes: HTTP ${r.status} ${(await r.text()).slice(0, 200)}`);
        codes.push(...(await r.text()).split('\n').filter(Boolean));
      }
      return codes;
    };
    const verify = await idTokenVerifier(`${base}/jwks`, { alg: 'RS256', audience: 'bench-oidc-client', issuer: base });
    const check = async () => {
      const [code] = await mint(1);
      const r = await post(tokenUrl, auth, `grant_type=authorization_code&code=${code}&redirect_uri=${encodeURIComponent(redirect)}`);
      if (r.status !== 200 || typeof r.json?.access_token !== 'string') throw new Error(`code exchange: HTTP ${r.status} ${r.text.slice(0, 200)}`);
      await verify(r.json.id_token);
    };
    // oidc-provider's RS256 exchange cannot pass one RS256 signature per request: 6,000/s is ample here.
    const rate = 6000;
    const started = Date.now();
    const warmCodes = join(TMP, 'oidc-provider-openid-codes-warmup.txt');
    const codes = join(TMP, 'oidc-provider-openid-codes.txt');
    writeFileSync(warmCodes, (await mint(rate * WARMUP)).join('\n') + '\n');
    writeFileSync(codes, (await mint(rate * DURATION)).join('\n') + '\n');
    log(`  minted ${rate * (WARMUP + DURATION)} codes through the provider's models in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    await measureOpenid({ server: label, endpoint: openidEndpoint('RS256') }, server, { tokenUrl, auth, redirect, codes, warmCodes, verify }, check);
  } catch (error) {
    log(`  ${label} (openid) failed: ${error.message}`);
    rows.push({ server: label, endpoint: openidEndpoint('RS256'), rps: NaN, p50: NaN, p99: NaN, valid: false, problems: [error.message] });
  } finally {
    await stopServer(server);
  }
}

/** A code exchange row with openid: measured as any row, then every id_token received verified against the JWKS. */
async function measureOpenid(row, server, { tokenUrl, auth, redirect, codes, warmCodes, verify }, check) {
  const tokens = `${codes}.id_tokens`;
  const codeEnv = (input, output) => ({ BENCH_IN: input, BENCH_OUT: output, BENCH_AUTHORIZATION: auth, BENCH_REDIRECT_URI: encodeURIComponent(redirect), BENCH_KEEP: 'id_token' });
  const measured = await measure(row, server, { url: tokenUrl, script: 'exchange-codes.lua', env: codeEnv(codes, tokens), warmupEnv: codeEnv(warmCodes, `${warmCodes}.id_tokens`) }, check);
  if (measured === undefined) return undefined;
  const started = Date.now();
  const checked = existsSync(tokens) ? await verifyFile(tokens, verify) : { count: 0, failed: 0, failures: [] };
  measured.idTokensVerified = checked.count - checked.failed;
  if (checked.failed > 0) measured.problems.push(`${checked.failed} id_tokens did not verify (${checked.failures.join('; ')})`);
  if (checked.count !== measured.requests) measured.problems.push(`${checked.count} id_tokens kept for ${measured.requests} answers`);
  measured.valid = measured.problems.length === 0;
  log(`  verified ${checked.count - checked.failed} of ${checked.count} id_tokens against the JWKS in ${((Date.now() - started) / 1000).toFixed(1)} s${measured.valid ? '' : ` INVALID: ${measured.problems.join('; ')}`}`);
  return measured;
}

/** Codes minted by wrk through an authorize endpoint into `file` (one per line) until it holds `wanted`; how many it holds. */
async function mintCodes(authorizeUrl, cookie, file, wanted) {
  let have = 0;
  for (let round = 0; round < 20 && have < wanted; round++) {
    const seconds = round === 0 ? 2 : Math.min(60, Math.max(1, Math.ceil(((wanted - have) / Math.max(have / 2, 1000)) * 1.1)));
    await runWrk({ url: authorizeUrl, script: 'mint-codes.lua', env: { BENCH_COOKIE: cookie, BENCH_OUT: file }, seconds, connections: CONNECTIONS, cpus: LOAD_CPUS });
    have = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
  }
  return have;
}

/**
 * The code exchange and refresh rows of a server (Gatehouse, or the durable floor): codes minted
 * by wrk through its authorize endpoint (`cookie`: a signed-in person who has consented), enough
 * for `rate` req/s; each redeemed once; the refresh tokens of those answers each rotated once.
 */
async function codeRows({ row, label, server, authorizeUrl, cookie, tokenUrl, auth, rate }) {
  const mint = (file, wanted) => mintCodes(authorizeUrl, cookie, file, wanted);
  const warmCodes = join(TMP, `${label}-codes-warmup.txt`);
  const codes = join(TMP, `${label}-codes.txt`);
  const started = Date.now();
  // Half again as many as `rate` asks: a code exchange does more work than the row `rate` came
  // from, but that row can be measured in a slow minute of the host (a run of 2026-12-05 ran out:
  // client credentials 7,505 req/s, the code exchange after it 8,408).
  const minted = (await mint(warmCodes, Math.ceil(rate * 1.5 * WARMUP))) + (await mint(codes, Math.ceil(rate * 1.5 * DURATION)));
  log(`  minted ${minted} codes through ${new URL(authorizeUrl).pathname} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const warmRefresh = join(TMP, `${label}-refresh-warmup.txt`);
  const refresh = join(TMP, `${label}-refresh.txt`);
  const codeEnv = (input, output) => ({ BENCH_IN: input, BENCH_OUT: output, BENCH_AUTHORIZATION: auth, BENCH_REDIRECT_URI: encodeURIComponent(REDIRECT_URI), BENCH_KEEP: 'refresh_token' });
  const exchangeCheck = async () => {
    const r = await fetch(authorizeUrl, { headers: { cookie }, redirect: 'manual' });
    const fresh = new URL(r.headers.get('location') ?? 'x:').searchParams.get('code');
    const e = await post(tokenUrl, auth, `grant_type=authorization_code&code=${fresh}&redirect_uri=${encodeURIComponent(REDIRECT_URI)}`);
    if (e.status !== 200 || typeof e.json?.refresh_token !== 'string') throw new Error(`code exchange: HTTP ${e.status} ${e.text.slice(0, 200)}`);
    return e.json.refresh_token;
  };
  await measure(row('code exchange'), server, { url: tokenUrl, script: 'exchange-codes.lua', env: codeEnv(codes, refresh), warmupEnv: codeEnv(warmCodes, warmRefresh) }, exchangeCheck);

  const refreshCheck = async () => {
    const r = await post(tokenUrl, auth, `grant_type=refresh_token&refresh_token=${await exchangeCheck()}`);
    if (r.status !== 200 || typeof r.json?.refresh_token !== 'string') throw new Error(`refresh: HTTP ${r.status} ${r.text.slice(0, 200)}`);
  };
  await measure(row('refresh'), server, { url: tokenUrl, script: 'rotate-refresh.lua', env: { BENCH_IN: refresh, BENCH_AUTHORIZATION: auth }, warmupEnv: { BENCH_IN: warmRefresh, BENCH_AUTHORIZATION: auth } }, refreshCheck);
}

// ------------------------------------------------------------------ Gatehouse
function cli(databaseUrl, args) {
  return execFileSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), ...args, '--database', databaseUrl], { cwd: ROOT, encoding: 'utf8', env: { ...env, GATEHOUSE_LOG_LEVEL: 'warn' } });
}

const REDIRECT_URI = 'https://app.example.com/cb';
const PERSON = { username: 'benchuser', password: 'bench-password-1' };

function seed(databaseUrl, openidAlgs = []) {
  const app = JSON.parse(cli(databaseUrl, ['clients', 'create', '--name', 'bench', '--root-domain', 'example.com', '--redirect-uri', REDIRECT_URI, '--grant-types', 'authorization_code,refresh_token,client_credentials', '--scopes', 'basic', '--json']));
  const user = JSON.parse(cli(databaseUrl, ['users', 'create', '--username', PERSON.username, '--password', PERSON.password, '--json']));
  // One app per id_token alg for the openid rows (SPEC §7: `clients create --id-token-alg`).
  const openid = {};
  for (const alg of openidAlgs) {
    const made = JSON.parse(cli(databaseUrl, ['clients', 'create', '--name', `bench ${alg}`, '--root-domain', 'example.com', '--redirect-uri', REDIRECT_URI, '--grant-types', 'authorization_code,refresh_token', '--scopes', 'basic,openid,offline_access', '--id-token-alg', alg, '--json']));
    openid[alg] = { clientId: made.client_id, clientSecret: made.client_secret };
  }
  return { clientId: app.client_id, clientSecret: app.client_secret, uid: user.uid, openid };
}

/** The apps of the sender-constrained rows: one authenticating with private_key_jwt (its public key inline), one issuing JWT access tokens. */
function seedConstrained(databaseUrl, key) {
  const made = (args) => JSON.parse(cli(databaseUrl, ['clients', 'create', '--root-domain', 'example.com', '--grant-types', 'client_credentials', '--scopes', 'basic', ...args, '--json']));
  const pkjwt = made(['--name', 'bench private_key_jwt', '--token-endpoint-auth-method', 'private_key_jwt', '--jwks', JSON.stringify({ keys: [key.publicJwk] })]);
  const jwt = Object.fromEntries(
    ['ES256', 'RS256'].map((alg) => {
      const made1 = made(['--name', `bench jwt ${alg}`, '--access-token-format', 'jwt', '--id-token-alg', alg]);
      return [alg, { clientId: made1.client_id, clientSecret: made1.client_secret }];
    }),
  );
  return { pkjwt: { clientId: pkjwt.client_id }, jwt };
}

function startGatehouse(databaseUrl, logLevel, label) {
  const port = nextPort++;
  const server = startServer({
    command: process.execPath,
    // The flags of `npm start` and of dist/cli.js's shebang: Gatehouse as an operator runs it.
    // BENCH_CPU_PROF=DIR: a V8 CPU profile of each Gatehouse server, for where the time goes.
    // BENCH_NODE_FLAGS: more node flags for each Gatehouse server (`--trace-gc`, for where memory goes).
    args: ['--max-semi-space-size=8', ...(env.BENCH_NODE_FLAGS ? env.BENCH_NODE_FLAGS.split(' ').filter(Boolean) : []), ...(env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${env.BENCH_CPU_PROF}`] : []), join(ROOT, 'dist', 'cli.js'), 'serve', '--port', String(port), '--database', databaseUrl],
    cwd: ROOT,
    // As the `gatehouse` shebang and `npm start` run it (src/cli.ts): glibc's mmap threshold fixed.
    env: { NODE_ENV: 'production', GATEHOUSE_LOG_LEVEL: logLevel, MALLOC_MMAP_THRESHOLD_: '131072' },
    logFile: join(OUT, `server-${label}.log`),
    cpus: SERVER_CPUS,
  });
  return { server, base: `http://127.0.0.1:${port}` };
}

async function benchGatehouse({ label, database, databaseUrl, logLevel, endpoints }) {
  log(`gatehouse: ${label} (${database}, log ${logLevel})`);
  const openidAlgs = OPENID_ALGS.filter((alg) => wantsOpenid(endpoints, alg));
  const app = seed(databaseUrl, openidAlgs);
  if (database === 'sqlite' && label === 'gatehouse-1M' && LIVE_TOKENS > 0) {
    const { seedTokens } = await import('./lib/seed-tokens.mjs');
    const path = databaseUrl.slice('sqlite:'.length);
    const uids = Array.from({ length: 10_000 }, (_, i) => String(100_000_000_000_000 + i));
    const seeded = seedTokens(path, { count: LIVE_TOKENS, clientId: app.clientId, uids });
    log(`  seeded ${seeded.live} live tokens in ${seeded.seconds.toFixed(1)} s (database ${(statSync(path).size / 1e6).toFixed(0)} MB)`);
  }
  const { server, base } = startGatehouse(databaseUrl, logLevel, `${label}-${database}-${logLevel}`);
  const row = (endpoint) => ({ server: label, database, log: logLevel, endpoint });
  const auth = basic(app.clientId, app.clientSecret);
  const tokenUrl = `${base}/oauth/2.0/token`;
  try {
    await waitReady(server, tokenUrl);
    const issue = async () => {
      const r = await post(tokenUrl, auth, 'grant_type=client_credentials&scope=basic');
      if (r.status !== 200 || typeof r.json?.access_token !== 'string' || r.json.token_type !== 'Bearer') throw new Error(`token: HTTP ${r.status} ${r.text.slice(0, 200)}`);
      return r.json.access_token;
    };
    const cc = await measure(row('token'), server, fixed(tokenUrl, 'POST', 'grant_type=client_credentials&scope=basic', auth), issue);

    if (endpoints.includes('introspect')) {
      const token = await issue();
      const introspectUrl = `${base}/oauth/2.0/introspect`;
      const probe = await post(introspectUrl, auth, `token=${token}`);
      if (probe.status === 404) {
        log('  /oauth/2.0/introspect is not there yet (404): introspection not measured');
        rows.push({ ...row('introspect'), rps: NaN, p50: NaN, p99: NaN, valid: false, problems: ['endpoint not built yet (404)'] });
      } else {
        const active = async () => {
          const r = await post(introspectUrl, auth, `token=${token}&token_type_hint=access_token`);
          if (r.status !== 200 || r.json?.active !== true) throw new Error(`introspect: HTTP ${r.status} ${r.text.slice(0, 200)}`);
        };
        await measure(row('introspect'), server, fixed(introspectUrl, 'POST', `token=${token}&token_type_hint=access_token`, auth), active);
      }
    }

    // The sender-constrained rows (issue 17): as the token row, plus the proof or the assertion
    // the server verifies (one ES256 signature check each, and a jti remembered once), or the
    // JWT it signs. Proofs and assertions are signed before the window, one per request.
    const constrained = CONSTRAINED.filter((endpoint) => endpoints.includes(endpoint));
    if (constrained.length > 0) {
      const key = await es256Key();
      const extra = seedConstrained(databaseUrl, key);
      const body = 'grant_type=client_credentials&scope=basic';
      const wanted = Math.ceil((Number.isFinite(cc?.rps) ? cc.rps : 30_000) * 1.2);
      const signedRow = async (endpoint, sign, wrkEnv, expectType) => {
        const warm = join(TMP, `${label}-${endpoint.replace(/\W+/g, '-')}-warmup.txt`);
        const measured = join(TMP, `${label}-${endpoint.replace(/\W+/g, '-')}.txt`);
        const started = Date.now();
        writeFileSync(warm, (await sign(wanted * WARMUP)).join('\n') + '\n');
        writeFileSync(measured, (await sign(wanted * DURATION)).join('\n') + '\n');
        log(`  signed ${wanted * (WARMUP + DURATION)} for ${endpoint} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
        const check = async () => {
          const [one] = await sign(1);
          const r = await fetch(tokenUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded', ...(wrkEnv.BENCH_AUTHORIZATION ? { authorization: wrkEnv.BENCH_AUTHORIZATION } : {}), ...(wrkEnv.BENCH_HEADER ? { [wrkEnv.BENCH_HEADER]: one } : {}) },
            body: wrkEnv.BENCH_HEADER ? body : `${wrkEnv.BENCH_BODY}${one}`,
          });
          const json = await r.json().catch(() => undefined);
          if (r.status !== 200 || json?.token_type !== expectType) throw new Error(`${endpoint}: HTTP ${r.status} ${JSON.stringify(json)?.slice(0, 200)}`);
        };
        const run = { BENCH_TOKEN_TYPE: expectType, ...wrkEnv };
        await measure(row(endpoint), server, { url: tokenUrl, script: 'signed-per-request.lua', env: { ...run, BENCH_IN: measured }, warmupEnv: { ...run, BENCH_IN: warm } }, check);
      };
      if (constrained.includes('token + DPoP')) {
        await signedRow('token + DPoP', (count) => dpopProofs(key, tokenUrl, count), { BENCH_HEADER: 'DPoP', BENCH_BODY: body, BENCH_AUTHORIZATION: auth }, 'DPoP');
      }
      if (constrained.includes('token + private_key_jwt')) {
        const prefix = `${body}&client_id=${extra.pkjwt.clientId}&client_assertion_type=${encodeURIComponent('urn:ietf:params:oauth:client-assertion-type:jwt-bearer')}&client_assertion=`;
        await signedRow('token + private_key_jwt', (count) => clientAssertions(key, extra.pkjwt.clientId, tokenUrl, count), { BENCH_BODY: prefix }, 'Bearer');
      }
      for (const alg of ['ES256', 'RS256']) {
        if (!constrained.includes(JWT_ROW(alg))) continue;
        const jwtAuth = basic(extra.jwt[alg].clientId, extra.jwt[alg].clientSecret);
        const jwtIssue = async () => {
          const r = await post(tokenUrl, jwtAuth, body);
          const header = r.json?.access_token?.split('.').length === 3 ? JSON.parse(Buffer.from(r.json.access_token.split('.')[0], 'base64url').toString()) : undefined;
          if (r.status !== 200 || header?.alg !== alg || header?.typ !== 'at+jwt') throw new Error(`${JWT_ROW(alg)}: HTTP ${r.status} ${r.text.slice(0, 200)}`);
        };
        await measure(row(JWT_ROW(alg)), server, fixed(tokenUrl, 'POST', body, jwtAuth), jwtIssue);
      }
    }

    if (endpoints.includes('code exchange')) {
      const query = new URLSearchParams({ response_type: 'code', client_id: app.clientId, redirect_uri: REDIRECT_URI, scope: 'basic', state: 'bench' }).toString();
      const { cookie, code } = await signInAndConsent(base, query, PERSON);
      const exchange = await post(tokenUrl, auth, `grant_type=authorization_code&code=${code}&redirect_uri=${encodeURIComponent(REDIRECT_URI)}`);
      if (exchange.status !== 200 || !exchange.json?.refresh_token) throw new Error(`code exchange: HTTP ${exchange.status} ${exchange.text.slice(0, 200)}`);
      const userToken = exchange.json.access_token;

      // getLoggedInUser with a Bearer token (SPEC §1).
      const userUrl = `${base}/rest/2.0/passport/users/getLoggedInUser`;
      const whoami = async () => {
        const r = await fetch(userUrl, { headers: { authorization: `Bearer ${userToken}` } });
        const body = await r.json().catch(() => undefined);
        if (r.status !== 200 || body?.uid !== app.uid) throw new Error(`getLoggedInUser: HTTP ${r.status} ${JSON.stringify(body)?.slice(0, 200)}`);
      };
      await measure(row('getLoggedInUser'), server, fixed(userUrl, 'GET', '', `Bearer ${userToken}`), whoami);

      // Codes minted through the real authorize endpoint, enough for the rate client
      // credentials just reached (a code exchange does strictly more work).
      await codeRows({ row, label, server, authorizeUrl: `${base}/oauth/2.0/authorize?${query}`, cookie, tokenUrl, auth, rate: Number.isFinite(cc?.rps) ? cc.rps : 30_000 });
    }

    // The id_token rows (issue 13): the same code exchange, scope `openid offline_access basic`
    // (with offline_access an OpenID grant gets its refresh token, OIDC Core §11: the same
    // token writes as the row without openid, plus the sign-in row, the user read and the
    // signature), for an app made with --id-token-alg ALG; codes minted through the real
    // authorize endpoint.
    for (const alg of openidAlgs) {
      const { clientId, clientSecret } = app.openid[alg];
      const nonce = `bench-${alg}`;
      const query = new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: REDIRECT_URI, scope: 'openid offline_access basic', state: 'bench', nonce }).toString();
      const { cookie } = await signInAndConsent(base, query, PERSON);
      const openidAuth = basic(clientId, clientSecret);
      const verify = await idTokenVerifier(`${base}/oauth/2.0/jwks`, { alg, audience: clientId, nonce });
      const authorizeUrl = `${base}/oauth/2.0/authorize?${query}`;
      const freshCode = async () => {
        const r = await fetch(authorizeUrl, { headers: { cookie }, redirect: 'manual' });
        return new URL(r.headers.get('location') ?? 'x:').searchParams.get('code');
      };
      const check = async () => {
        const e = await post(tokenUrl, openidAuth, `grant_type=authorization_code&code=${await freshCode()}&redirect_uri=${encodeURIComponent(REDIRECT_URI)}`);
        if (e.status !== 200 || typeof e.json?.access_token !== 'string' || typeof e.json?.refresh_token !== 'string') throw new Error(`code exchange + openid: HTTP ${e.status} ${e.text.slice(0, 200)}`);
        await verify(e.json.id_token);
      };
      // An RS256 exchange cannot pass one signature per request (a few thousand a second on one core).
      const rate = Math.min(Number.isFinite(cc?.rps) ? cc.rps : 30_000, alg === 'RS256' ? 8000 : Infinity);
      const mint = (file, wanted) => mintCodes(authorizeUrl, cookie, file, wanted);
      const warmCodes = join(TMP, `${label}-openid-${alg}-codes-warmup.txt`);
      const codes = join(TMP, `${label}-openid-${alg}-codes.txt`);
      const started = Date.now();
      // Half again as many as `rate` asks: a code exchange does more work than the row `rate` came
  // from, but that row can be measured in a slow minute of the host (a run of 2026-12-05 ran out:
  // client credentials 7,505 req/s, the code exchange after it 8,408).
  const minted = (await mint(warmCodes, Math.ceil(rate * 1.5 * WARMUP))) + (await mint(codes, Math.ceil(rate * 1.5 * DURATION)));
      log(`  minted ${minted} openid codes (${alg} app) through /oauth/2.0/authorize in ${((Date.now() - started) / 1000).toFixed(0)} s`);
      await measureOpenid(row(openidEndpoint(alg)), server, { tokenUrl, auth: openidAuth, redirect: REDIRECT_URI, codes, warmCodes, verify }, check);
    }
  } catch (error) {
    log(`  gatehouse ${label} failed: ${error.stack ?? error.message}`);
    rows.push({ ...row('(run)'), rps: NaN, p50: NaN, p99: NaN, valid: false, problems: [error.message] });
  } finally {
    await stopServer(server);
    // The request log of a run is hundreds of MB: keep its tail only.
    const logFile = server.logFile;
    if (existsSync(logFile) && statSync(logFile).size > 1e6) {
      // With BENCH_NODE_FLAGS=--trace-gc the collector's lines are kept beside it.
      if (env.BENCH_NODE_FLAGS?.includes('--trace-gc')) spawnSync('sh', ['-c', `grep -E '(Scavenge|Mark-Compact|Mark-sweep)' "$0" > "$0.gc"`, logFile]);
      const tail = execFileSync('tail', ['-n', '200', logFile]);
      writeFileSync(logFile, tail);
    }
  }
}

// ------------------------------------------------------------------ the run
const sqliteUrl = (name) => `sqlite:${join(TMP, `${name}.db`)}`;
/** What one signature costs, measured in this run on the server's core (bench/sign.mjs): the limit of the id_token rows. */
let signatures;
try {
  log(`results -> ${OUT}; ${PINNED ? `server on cpu ${SERVER_CPUS}, wrk on cpu ${LOAD_CPUS}` : 'unpinned'}; ${CONNECTIONS} connections, ${WARMUP} s warm-up + ${DURATION} s`);
  if (pass('peers')) for (const peer of PEERS) await benchPeer(peer);
  if (pass('peers') && PEERS.includes('oidc-provider') && OPENID_WANTED.includes('RS256')) await benchPeerOpenid();
  if ((OPENID_WANTED.length > 0 || ALL.includes(JWT_ROW('RS256'))) && (pass('peers') || pass('gatehouse'))) {
    log(`what one signature costs (bench/sign.mjs, ${SERVER_CPUS === undefined ? 'unpinned' : `CPU ${SERVER_CPUS}`})`);
    signatures = measureSignatures(BENCH, SERVER_CPUS);
    for (const [alg, s] of Object.entries(signatures)) log(`  ${alg}: ${Object.entries(s.ways).map(([way, us]) => `${way} ${us.toFixed(1)} µs`).join(', ')}`);
  }
  if (pass('gatehouse') && LOG_LEVELS.includes('info')) await benchGatehouse({ label: 'gatehouse', database: 'sqlite', databaseUrl: sqliteUrl('empty-info'), logLevel: 'info', endpoints: ALL });
  for (const level of LOG_LEVELS.filter((l) => l !== 'info')) {
    if (pass('warn')) await benchGatehouse({ label: 'gatehouse', database: 'sqlite', databaseUrl: sqliteUrl(`empty-${level}`), logLevel: level, endpoints: ['token', 'introspect'] });
  }
  if (pass('million') && LIVE_TOKENS > 0) await benchGatehouse({ label: 'gatehouse-1M', database: 'sqlite', databaseUrl: sqliteUrl('million'), logLevel: 'info', endpoints: ['token', 'introspect'] });
  if (pass('postgres') && PG_URL) {
    const { createDatabase, dropDatabase } = await import('./lib/postgres.mjs');
    const url = await createDatabase(PG_URL, `gatehouse_bench_${process.pid}`);
    const floorUrl = await createDatabase(PG_URL, `gatehouse_bench_floor_${process.pid}`);
    try {
      // The PostgreSQL rows' own floor, in the same minute (bench/floor.mjs on pg).
      if (PEERS.includes('durable-floor')) await benchPeer('durable-floor', 'durable-floor', { name: 'postgres', url: floorUrl });
      await benchGatehouse({ label: 'gatehouse', database: 'postgres', databaseUrl: url, logLevel: 'info', endpoints: ['token', 'introspect'] });
    } finally {
      await dropDatabase(PG_URL, `gatehouse_bench_${process.pid}`);
      await dropDatabase(PG_URL, `gatehouse_bench_floor_${process.pid}`);
    }
  } else if (pass('postgres')) {
    log('PostgreSQL pass skipped: set GATEHOUSE_BENCH_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres) to run it');
  }
  // The SQLite floor again, for the same reason: × durable-floor uses the mean of both runs.
  if (pass('peers') && PEERS.includes('durable-floor')) await benchPeer('durable-floor', 'durable-floor (again)');
  // The ceiling again: the host drifts, so the ratios use the mean of both raw-http runs.
  if (pass('peers') && PEERS.includes('raw-http')) await benchPeer('raw-http', 'raw-http (again)');
} finally {
  rmSync(TMP, { recursive: true, force: true });
}

// ------------------------------------------------------------------ report
const git = (args) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
const dirty = git(['status', '--porcelain', '--untracked-files=no']) !== '';
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(Number(readFileSync('/proc/meminfo', 'utf8').match(/MemTotal:\s+(\d+)/)?.[1] ?? 0) / 1048576)} GiB, ${execFileSync('uname', ['-sr'], { encoding: 'utf8' }).trim()}`;
const header = [
  `Measured ${new Date().toISOString().replace('T', ' ').slice(0, 16)} UTC, commit ${git(['rev-parse', '--short', 'HEAD'])}${dirty ? ' (with uncommitted changes)' : ''}, by \`npm run bench\`.`,
  `Machine: ${machine}; Node ${process.version}; ${execFileSync('sh', ['-c', 'wrk --version 2>&1 | head -1'], { encoding: 'utf8' }).trim().split(' ').slice(0, 2).join(' ')}.`,
  `Load: wrk, 1 thread, ${CONNECTIONS} keep-alive connections, ${WARMUP} s warm-up then ${DURATION} s measured per row; ${PINNED ? `server pinned to CPU ${SERVER_CPUS}, wrk to CPU ${LOAD_CPUS} (taskset)` : 'unpinned'}.`,
  'Gatehouse: `node --max-semi-space-size=8 dist/cli.js serve` (as `npm start` and `npx gatehouse serve` run it), NODE_ENV=production, one log line per request (log info) unless the row says warn; every token committed (SQLite WAL, synchronous=NORMAL) before its answer.',
  '×raw: ratio to raw node:http (mean of its runs before and after Gatehouse; the token ceiling for every non-introspection row). × durable-floor: ratio to the floor on the row\'s database (on SQLite the mean of its runs before and after Gatehouse). × peer: ratio of req/s to that peer in this run.',
].join('\n');
const table = resultsTable(rows);
const targets = targetsTable(rows, signatures);
const openid = OPENID_WANTED.length > 0 ? `\n## id_tokens (issue 13): code exchange with openid, and what one signature costs\n\n${openidTable(rows, signatures)}\n` : '';
const markdown = `# Benchmark results\n\n${header}\n\n## Measurements\n\n${table}\n${openid}\n## Targets (issue 17)\n\n${targets}\n`;
writeFileSync(join(OUT, 'summary.md'), markdown);
writeFileSync(join(OUT, 'rows.json'), JSON.stringify(rows, null, 2));
if (signatures) writeFileSync(join(OUT, 'signatures.json'), JSON.stringify(signatures, null, 2));
console.log(`\n${markdown}`);
if (env.BENCH_WRITE_RESULTS !== '0' && ONLY === undefined) {
  writeFileSync(join(BENCH, 'RESULTS.md'), markdown);
  log('wrote bench/RESULTS.md');
}
