/**
 * The HTTP fuzz of this round's endpoints (issue 18 item 6): OpenID Connect
 * (authorize with its parameters, userinfo, logout, JWKS, discovery), the
 * admin API (every route, JSON bodies), DPoP headers, client_assertion
 * parameters, /oauth/2.0/par and /oauth/2.0/register (this server runs with
 * registration off, so register rows mostly meet the disabled endpoint).
 * Whatever is sent, the answer is SPEC-shaped, never a 5xx.
 *
 * Adding an endpoint is adding a row to ROWS: its path, methods, parameter
 * names, how it authenticates and what body it takes. Every answer: below
 * 500; the marker never unescaped in HTML nor raw in any header; every JSON
 * error a SPEC §4 error (`error` in the table, `error_description`,
 * `error_uri`), every admin API error RFC 9457 problem+json (SPEC §10).
 * Bounded: 20,000 requests, all of which must be sent (within 170 s), 20 at a time, on loopback, seeded.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { Agent } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { ERRORS } from '../src/core/errors.js';
import { authorize, Browser, redirectParams } from '../test/helpers/browserless-flow.js';
import { raw, rng, send, type Answer, type FuzzRequest } from '../test/helpers/fuzz.js';
import { startServer, type TestServer } from '../test/helpers/server.js';

const TOTAL = 20_000;
const CONCURRENCY = 20;
// The whole 20,000 must be sent; the bound keeps a stuck server from holding the run past ~3 minutes.
const DEADLINE_MS = 170_000;
const MARKER = 'ghrz';
const REDIRECT = 'https://app.example.com/cb';
const LOGOUT_REDIRECT = 'https://app.example.com/bye';

type Auth = 'none' | 'client' | 'bearer' | 'admin';
type Body = 'form' | 'json' | 'none';

/** One endpoint: where, how it is called, and the names it reads. `weight` makes a row more or less frequent. */
interface Row {
  path: string;
  methods: readonly string[];
  names: readonly string[];
  auth: Auth;
  body: Body;
  weight?: number;
}

const OIDC_AUTHORIZE = ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'nonce', 'prompt', 'max_age', 'id_token_hint', 'login_hint', 'response_mode', 'display', 'ui_locales', 'claims', 'acr_values', 'code_challenge', 'code_challenge_method', 'request', 'request_uri', 'resource', 'registration'];
const CLIENT_AUTH = ['client_id', 'client_secret', 'client_assertion', 'client_assertion_type'];
const APP_FIELDS = ['name', 'root_domain', 'redirect_uris', 'grant_types', 'response_types', 'scopes', 'public', 'resource_server', 'disabled', 'subject_type', 'id_token_alg', 'post_logout_redirect_uris', 'backchannel_logout_uri', 'admin', 'client_secret'];
const USER_FIELDS = ['username', 'password', 'email', 'name', 'email_verified', 'disabled', 'uid'];

const ROWS: readonly Row[] = [
  // OpenID Connect (SPEC §7)
  { path: '/oauth/2.0/authorize', methods: ['GET', 'POST'], names: OIDC_AUTHORIZE, auth: 'none', body: 'form', weight: 3 },
  { path: '/oauth/2.0/token', methods: ['POST', 'GET'], names: ['grant_type', 'code', 'redirect_uri', 'code_verifier', 'refresh_token', 'scope', 'device_code', 'resource', ...CLIENT_AUTH], auth: 'client', body: 'form', weight: 3 },
  { path: '/oauth/2.0/userinfo', methods: ['GET', 'POST'], names: ['access_token', 'schema'], auth: 'bearer', body: 'form', weight: 2 },
  { path: '/oauth/2.0/logout', methods: ['GET', 'POST'], names: ['id_token_hint', 'post_logout_redirect_uri', 'state', 'client_id', 'ui_locales', 'logout_hint', 'decision', 'csrf_token'], auth: 'none', body: 'form', weight: 2 },
  { path: '/oauth/2.0/jwks', methods: ['GET', 'POST', 'HEAD'], names: ['kid'], auth: 'none', body: 'none' },
  { path: '/.well-known/openid-configuration', methods: ['GET', 'HEAD', 'POST'], names: [], auth: 'none', body: 'none' },
  { path: '/.well-known/oauth-authorization-server', methods: ['GET', 'HEAD'], names: [], auth: 'none', body: 'none' },
  { path: '/oauth/2.0/introspect', methods: ['POST'], names: ['token', 'token_type_hint', ...CLIENT_AUTH], auth: 'client', body: 'form' },
  { path: '/oauth/2.0/revoke', methods: ['POST'], names: ['token', 'token_type_hint', ...CLIENT_AUTH], auth: 'client', body: 'form' },
  { path: '/oauth/2.0/device/code', methods: ['POST', 'GET'], names: ['scope', 'resource', ...CLIENT_AUTH], auth: 'client', body: 'form' },
  // Being built on other branches (SPEC §8, §9, PAR): today a SPEC-shaped 4xx.
  { path: '/oauth/2.0/par', methods: ['POST', 'GET'], names: [...OIDC_AUTHORIZE, ...CLIENT_AUTH], auth: 'client', body: 'form', weight: 2 },
  { path: '/oauth/2.0/register', methods: ['POST', 'GET'], names: ['redirect_uris', 'client_name', 'grant_types', 'response_types', 'token_endpoint_auth_method', 'jwks', 'jwks_uri', 'scope', 'software_statement'], auth: 'none', body: 'json', weight: 2 },
  // The admin API (SPEC §10)
  { path: '/admin/v1/openapi.json', methods: ['GET', 'POST'], names: [], auth: 'none', body: 'none' },
  { path: '/admin/v1/apps', methods: ['GET', 'POST', 'PUT'], names: ['limit', 'cursor', ...APP_FIELDS], auth: 'admin', body: 'json', weight: 2 },
  { path: '/admin/v1/apps/APPID', methods: ['GET', 'PATCH', 'DELETE', 'POST'], names: APP_FIELDS, auth: 'admin', body: 'json', weight: 2 },
  { path: '/admin/v1/apps/APPID/disable', methods: ['POST', 'GET'], names: [], auth: 'admin', body: 'json' },
  { path: '/admin/v1/apps/APPID/enable', methods: ['POST'], names: [], auth: 'admin', body: 'json' },
  { path: '/admin/v1/apps/APPID/rotate-secret', methods: ['POST'], names: [], auth: 'admin', body: 'json' },
  { path: '/admin/v1/apps/APPID/failures', methods: ['GET'], names: ['limit', 'cursor'], auth: 'admin', body: 'none' },
  { path: '/admin/v1/users', methods: ['GET', 'POST'], names: ['limit', 'cursor', ...USER_FIELDS], auth: 'admin', body: 'json', weight: 2 },
  { path: '/admin/v1/users/UID', methods: ['GET', 'PATCH', 'DELETE'], names: USER_FIELDS, auth: 'admin', body: 'json' },
  { path: '/admin/v1/users/UID/disable', methods: ['POST'], names: [], auth: 'admin', body: 'json' },
  { path: '/admin/v1/scopes', methods: ['GET', 'POST'], names: ['name', 'description', 'limit', 'cursor'], auth: 'admin', body: 'json' },
  // Each accepted rotation makes a key pair: rare, so the fuzz measures the server, not RSA key generation.
  { path: '/admin/v1/keys', methods: ['GET', 'POST'], names: ['alg'], auth: 'admin', body: 'json', weight: 0.5 },
  { path: '/admin/v1/keys/rotate', methods: ['POST'], names: ['alg', 'activate_now'], auth: 'admin', body: 'json', weight: 0.1 },
  { path: '/admin/v1/tokens/revoke', methods: ['POST'], names: ['uid', 'client_id'], auth: 'admin', body: 'json' },
  { path: '/admin/v1/audit', methods: ['GET'], names: ['limit', 'cursor', 'action'], auth: 'admin', body: 'none' },
  { path: `/admin/v1/<${MARKER}>`, methods: ['GET', 'POST'], names: [], auth: 'admin', body: 'json', weight: 0.5 },
];

interface Fixtures {
  clientId: string;
  clientSecret: string;
  accessToken: string;
  refreshToken: string;
  idToken: string;
  code: string;
  adminToken: string;
  victimApp: string;
  victimUid: string;
  session: string;
  csrf: string;
  dpopProofs: string[];
  assertions: string[];
}

async function dpopProofs(issuer: string): Promise<string[]> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = await exportJWK(publicKey);
  const proof = (htm: string, htu: string, extra: Record<string, unknown> = {}, typ = 'dpop+jwt') =>
    new SignJWT({ htm, htu, jti: randomUUID(), ...extra }).setProtectedHeader({ alg: 'ES256', typ, jwk }).setIssuedAt().sign(privateKey);
  return Promise.all([
    proof('POST', `${issuer}/oauth/2.0/token`),
    proof('GET', `${issuer}/oauth/2.0/userinfo`, { ath: 'x'.repeat(43) }),
    proof('POST', 'https://evil.example/token'),
    proof('POST', `${issuer}/oauth/2.0/token`, { nonce: `<${MARKER}>` }),
    proof('POST', `${issuer}/oauth/2.0/token`, {}, 'JWT'),
  ]);
}

async function assertions(issuer: string, clientId: string): Promise<string[]> {
  const { privateKey } = await generateKeyPair('RS256');
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: clientId, sub: clientId, aud: `${issuer}/oauth/2.0/token`, jti: randomUUID(), exp: now + 60 };
  const hmac = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  return Promise.all([
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256' }).sign(privateKey),
    new SignJWT({ ...claims, iss: `<${MARKER}>` }).setProtectedHeader({ alg: 'RS256', kid: `<${MARKER}>` }).sign(privateKey),
    new SignJWT(claims).setProtectedHeader({ alg: 'ES256' }).sign(hmac),
    Promise.resolve(`${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`),
  ]);
}

function generator(random: () => number, f: Fixtures) {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const chance = (p: number) => random() < p;
  const totalWeight = ROWS.reduce((sum, row) => sum + (row.weight ?? 1), 0);
  const pickRow = (): Row => {
    let at = random() * totalWeight;
    for (const row of ROWS) if ((at -= row.weight ?? 1) < 0) return row;
    return ROWS[0]!;
  };
  const value = (): string => {
    switch (Math.floor(random() * 30)) {
      case 0: return f.clientId;
      case 1: return f.clientSecret;
      case 2: return f.accessToken;
      case 3: return f.refreshToken;
      case 4: return f.idToken;
      case 5: return f.code;
      case 6: return pick([REDIRECT, LOGOUT_REDIRECT, 'https://evil.com/cb', `https://app.example.com/cb?<${MARKER}>`, 'javascript:alert(1)', 'oob', 'http://127.0.0.1:9/cb']);
      case 7: return pick(['code', 'token', 'id_token', 'code id_token', 'id_token token', 'none', 'device_code']);
      case 8: return pick(['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code', 'urn:ietf:params:oauth:grant-type:jwt-bearer', 'password']);
      case 9: return pick(['openid', 'openid basic', 'basic', 'openid email profile', 'gatehouse:admin', 'offline_access', '"']);
      case 10: return pick(['none', 'login', 'consent', 'select_account', 'none login', '']);
      case 11: return pick(['0', '-1', '1e9', 'NaN', '3600', '99999999999999999999']);
      case 12: return pick(['query', 'fragment', 'form_post', 'query.jwt', `<${MARKER}>`]);
      case 13: return pick(['urn:ietf:params:oauth:client-assertion-type:jwt-bearer', 'urn:x', '']);
      case 14: return pick(f.assertions);
      case 15: return pick(['urn:ietf:params:oauth:request_uri:abc', `urn:ietf:params:oauth:request_uri:<${MARKER}>`, 'https://evil.com/req.jwt']);
      case 16: return pick(['https://api.example.com/', 'urn:x', 'not a uri', 'https://api.example.com/#frag']);
      case 17: return '{"userinfo":{"email":null},"id_token":{"auth_time":{"essential":true}}}';
      case 18: return `<script>${MARKER}</script>`;
      case 19: return `"><${MARKER} onerror=alert(1)>`;
      case 20: return 'x'.repeat(pick([1, 200, 3000]));
      case 21: return '中文 ñ 🎉 \u202e';
      case 22: return 'a\u0000b';
      case 23: return pick(['logout', 'approve', 'deny']);
      case 24: return f.csrf;
      case 25: return pick(['S256', 'plain', 'A'.repeat(43)]);
      case 26: return pick([f.victimApp, f.victimUid]);
      case 27: return pick(['RS256', 'PS256', 'ES256', 'EdDSA', 'HS256', 'none']);
      default: return Math.random().toString(36).slice(2);
    }
  };
  /** A JSON value of any type, for the admin API and registration bodies. */
  const jsonValue = (depth = 0): unknown => {
    switch (Math.floor(random() * 10)) {
      case 0: return null;
      case 1: return chance(0.5);
      case 2: return pick([0, -1, 1.5, 1e300, 201, 50]);
      case 3: return depth < 2 ? Array.from({ length: Math.floor(random() * 4) }, () => jsonValue(depth + 1)) : [];
      case 4: return depth < 2 ? { [pick(['a', '__proto__', 'constructor'])]: jsonValue(depth + 1) } : {};
      case 5: return [pick([REDIRECT, 'https://evil.com/cb', `<${MARKER}>`])];
      case 6: return pick([['authorization_code', 'refresh_token'], ['client_credentials'], ['implicit'], 'code']);
      default: return value();
    }
  };
  const pair = (row: Row): string => {
    const name = chance(0.85) && row.names.length > 0 ? pick(row.names) : pick(['<' + MARKER + '>', '__proto__', '', 'x'.repeat(300), value()]);
    const v = value();
    switch (Math.floor(random() * 10)) {
      case 0: return `${name}=${pick(['%', '%ZZ', '%C3%28', '%00', '%0D%0A'])}`;
      case 1: return raw(`${name}=${v}`).replace(/[ \t\r\n#&]/g, '+');
      default: return `${encodeURIComponent(name)}=${encodeURIComponent(v)}`;
    }
  };
  const form = (row: Row): string => {
    const pairs = Array.from({ length: Math.floor(random() * 8) }, () => pair(row));
    if (chance(0.15) && pairs.length > 0) pairs.push(pairs[0]!);
    return pairs.join('&');
  };
  const json = (row: Row): Buffer => {
    const kind = random();
    if (kind < 0.75) {
      const object: Record<string, unknown> = {};
      for (let i = Math.floor(random() * 6); i > 0; i--) object[chance(0.9) && row.names.length > 0 ? pick(row.names) : pick(['x', `<${MARKER}>`, '__proto__'])] = jsonValue();
      return Buffer.from(chance(0.05) ? `{"__proto__":{"admin":true},${JSON.stringify(object).slice(1)}` : JSON.stringify(object));
    }
    if (kind < 0.85) return Buffer.from(pick(['{', '[]', 'null', '"str"', '{"a":', `<${MARKER}>`, '{"a":1,"a":2}', '1e999']));
    if (kind < 0.95) return Buffer.from(Array.from({ length: Math.floor(random() * 200) }, () => Math.floor(random() * 256)));
    return Buffer.alloc(pick([65_537, 300_000]), 'a');
  };
  return (): FuzzRequest => {
    const row = pickRow();
    const method = chance(0.9) ? pick(row.methods) : pick(['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE']);
    let path = row.path.replace('APPID', chance(0.7) ? f.victimApp : pick([`<${MARKER}>`, '%ZZ', 'x'.repeat(300), f.clientId])).replace('UID', chance(0.7) ? f.victimUid : pick([`<${MARKER}>`, '0', '-1']));
    const query = (method === 'GET' || method === 'HEAD' || chance(0.3)) && chance(0.8) ? form(row) : '';
    if (query !== '') path = `${path}?${query}`;
    const headers: Record<string, string> = {};
    let body: Buffer | undefined;
    if (method !== 'GET' && method !== 'HEAD' && chance(0.85)) {
      const asJson = row.body === 'json' ? chance(0.85) : chance(0.1);
      headers['content-type'] = asJson ? pick(['application/json', 'application/json; charset=utf-8', 'application/merge-patch+json']) : pick(['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-8', 'text/plain', `<${MARKER}>`, 'multipart/form-data; boundary=x']);
      body = asJson ? json(row) : Buffer.from(form(row), 'latin1');
    }
    const auth = chance(0.8) ? row.auth : pick<Auth>(['none', 'client', 'bearer', 'admin']);
    if (chance(0.85)) {
      if (auth === 'admin') headers['authorization'] = pick([`Bearer ${f.adminToken}`, `Bearer ${f.adminToken}`, `Bearer ${f.adminToken}`, `Bearer ${f.accessToken}`, `DPoP ${f.adminToken}`, 'Bearer', `Bearer <${MARKER}>`]);
      if (auth === 'bearer') headers['authorization'] = pick([`Bearer ${f.accessToken}`, `DPoP ${f.accessToken}`, `Bearer ${f.adminToken}`, 'Bearer  x', raw('Bearer 中文'), `Bearer ${f.idToken}`]);
      if (auth === 'client') headers['authorization'] = pick([`Basic ${Buffer.from(`${f.clientId}:${f.clientSecret}`).toString('base64')}`, 'Basic !!!', `Basic ${Buffer.from(`<${MARKER}>:x`).toString('base64')}`]);
    }
    // DPoP headers (RFC 9449) on any request: real proofs for the wrong place, garbage, two at once.
    if (chance(0.25)) headers['dpop'] = pick([...f.dpopProofs, 'a.b.c', `<${MARKER}>`, 'x'.repeat(5000), `${f.dpopProofs[0]}, ${f.dpopProofs[1]}`]);
    if (chance(0.3)) headers['cookie'] = pick([f.session, 'gh_session=<x>', raw('lang=中文')]);
    if (chance(0.1)) headers['accept'] = pick(['application/jwt', 'text/html', `<${MARKER}>`, 'application/problem+json']);
    if (chance(0.1)) headers['origin'] = pick(['https://evil.com', `<${MARKER}>`]);
    return { method, path, headers, body };
  };
}

describe('HTTP fuzz of this round: OIDC, admin API, DPoP headers, client assertions, PAR and registration (20,000 requests)', () => {
  let server: TestServer;
  let fixtures: Fixtures;

  before(async () => {
    server = await startServer({ env: { GATEHOUSE_LOG_LEVEL: 'silent' } });
    const made = await server.createApp({ rootDomain: 'example.com', redirectUris: [REDIRECT], scopes: ['basic', 'openid', 'email'], postLogoutRedirectUris: [LOGOUT_REDIRECT] });
    const admin = await server.createApp({ name: 'Fuzz admin', isAdmin: true });
    const victim = await server.createApp({ name: 'Fuzz victim' });
    const person = await server.createUser();
    const victimUser = await server.createUser();
    const browser = new Browser(server.url);
    const codeOf = async () => redirectParams((await authorize(browser, { response_type: 'code', client_id: made.clientId, redirect_uri: REDIRECT, scope: 'openid basic', nonce: 'n' }, person)).location!).get('code')!;
    const tokens = await (await fetch(`${server.url}/oauth/2.0/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code', code: await codeOf(), redirect_uri: REDIRECT, client_id: made.clientId, client_secret: made.clientSecret! }) })).json();
    const adminToken = await (await fetch(`${server.url}/oauth/2.0/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'gatehouse:admin', client_id: admin.clientId, client_secret: admin.clientSecret! }) })).json();
    assert.ok(tokens.id_token && adminToken.access_token, 'fixtures: an id_token and an admin token');
    const page = await browser.request('/oauth/2.0/logout');
    fixtures = {
      clientId: made.clientId,
      clientSecret: made.clientSecret!,
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token,
      idToken: tokens.id_token,
      code: await codeOf(),
      adminToken: adminToken.access_token,
      victimApp: victim.clientId,
      victimUid: victimUser.uid,
      session: browser.jar.header(),
      csrf: /name="csrf_token" value="([^"]+)"/.exec(page.body)?.[1] ?? '',
      dpopProofs: await dpopProofs(server.url),
      assertions: await assertions(server.url, made.clientId),
    };
  });
  after(() => server.close());

  it('answers every request below 500, never reflects the marker unescaped, and shapes every error as SPEC §4 or RFC 9457 says', async (t) => {
    const base = new URL(server.url);
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const next = generator(rng(0x18f022), fixtures);
    const counts = { sent: 0, refusedByClient: 0, transportErrors: 0, byStatus: new Map<number, number>(), oauthErrors: 0, problems: 0, html: 0, byRow: new Map<string, number>(), rowMs: new Map<string, number>() };
    const failures: string[] = [];
    const started = Date.now();

    const check = (req: FuzzRequest, answer: Answer) => {
      const where = `${req.method} ${req.path.slice(0, 160)}`;
      const path = req.path.split('?')[0]!;
      counts.byStatus.set(answer.status, (counts.byStatus.get(answer.status) ?? 0) + 1);
      if (answer.status >= 500) failures.push(`${answer.status} for ${where}: ${answer.body.slice(0, 200)}`);
      for (const [name, header] of Object.entries(answer.headers)) if (String(header).includes(`<${MARKER}`)) failures.push(`raw marker in the ${name} header for ${where}`);
      const type = String(answer.headers['content-type'] ?? '');
      if (type.startsWith('text/html') && answer.body.includes(`<${MARKER}`)) failures.push(`unescaped marker in HTML for ${where}`);
      if (type.startsWith('text/html')) counts.html++;
      if (req.method === 'HEAD' || answer.status < 400) return;
      let json: Record<string, unknown> | undefined;
      if (type.startsWith('application/json') || type.startsWith('application/problem+json')) {
        try {
          json = JSON.parse(answer.body);
        } catch {
          failures.push(`error body that does not parse for ${where}`);
          return;
        }
      }
      if (path.startsWith('/admin/v1/') && type.startsWith('application/problem+json')) {
        counts.problems++;
        const ok = typeof json!['type'] === 'string' && String(json!['type']).startsWith('urn:gatehouse:problem:') && typeof json!['title'] === 'string' && json!['status'] === answer.status && typeof json!['detail'] === 'string';
        if (!ok) failures.push(`malformed problem for ${where}: ${answer.body.slice(0, 200)}`);
        return;
      }
      if (path.startsWith('/admin/v1/')) {
        if (!type.startsWith('application/json') || json?.['error'] === undefined) failures.push(`admin API error that is neither problem+json nor a SPEC error (${type}) for ${where}: ${answer.body.slice(0, 120)}`);
      }
      if (json !== undefined) {
        counts.oauthErrors++;
        const code = json['error'];
        if (typeof code !== 'string' || !(code in ERRORS)) failures.push(`error ${String(code)} not in the table for ${where}: ${answer.body.slice(0, 160)}`);
        else if (typeof json['error_description'] !== 'string' || json['error_uri'] !== `${server.url}/oauth/2.0/errors/${code}`) failures.push(`malformed error body for ${where}: ${answer.body.slice(0, 200)}`);
        else if (ERRORS[code as keyof typeof ERRORS].status !== answer.status && ![401, 403, 404, 405, 413, 415, 429, 431].includes(answer.status)) failures.push(`status ${answer.status} for ${code} at ${where}`);
      } else if (!type.startsWith('text/html')) {
        failures.push(`an error that is neither JSON nor a page (${type || 'no content type'}) for ${where}: ${answer.body.slice(0, 120)}`);
      }
    };

    const worker = async () => {
      while (counts.sent < TOTAL && Date.now() - started < DEADLINE_MS) {
        counts.sent++;
        const req = next();
        const row = ROWS.find((r) => req.path.startsWith(r.path.replace(/APPID|UID/, '')))?.path ?? 'other';
        counts.byRow.set(row, (counts.byRow.get(row) ?? 0) + 1);
        const sentAt = Date.now();
        const answer = await send(base, agent, req);
        counts.rowMs.set(`${row} ${req.method}`, (counts.rowMs.get(`${row} ${req.method}`) ?? 0) + Date.now() - sentAt);
        if (answer instanceof Error) {
          if ((answer as NodeJS.ErrnoException).code?.startsWith('ERR_')) counts.refusedByClient++;
          else counts.transportErrors++;
          continue;
        }
        check(req, answer);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    agent.destroy();

    const seconds = (Date.now() - started) / 1000;
    const statuses = [...counts.byStatus].sort(([a], [b]) => a - b).map(([status, n]) => `${status}:${n}`).join(' ');
    t.diagnostic(`round fuzz: ${counts.sent} requests in ${seconds.toFixed(1)} s (${Math.round(counts.sent / seconds)}/s) over ${ROWS.length} rows; ${counts.refusedByClient} refused by the client library, ${counts.transportErrors} transport errors`);
    t.diagnostic(`round fuzz: statuses ${statuses}; ${counts.oauthErrors} SPEC §4 JSON errors and ${counts.problems} RFC 9457 problems checked, ${counts.html} HTML pages scanned for the marker; ${failures.length} failures`);
    const slowest = [...counts.rowMs].sort(([, a], [, b]) => b - a).slice(0, 8).map(([row, ms]) => `${row} ${(ms / 1000).toFixed(1)} s`).join(', ');
    t.diagnostic(`round fuzz: time spent waiting, by row and method (slowest first): ${slowest}`);
    assert.deepEqual(failures.slice(0, 20), []);
    assert.equal((await fetch(`${server.url}/health`)).status, 200);
    // Issue 18: at least 20,000 requests (about 25 s on a quiet machine, ~900/s).
    assert.ok(counts.sent >= TOTAL, `only ${counts.sent} requests were sent within ${DEADLINE_MS / 1000} s`);
    assert.ok(counts.transportErrors <= counts.sent / 100, `${counts.transportErrors} transport errors`);
  });
});
