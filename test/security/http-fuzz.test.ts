/**
 * A bounded HTTP fuzz of every endpoint (SPEC §4, last paragraph): generated
 * methods, paths, parameters (repeated, huge, unicode, invalid percent-encoding,
 * NUL bytes, markup), content types, bodies and headers, sent over loopback
 * to a real server, with valid credentials mixed in so the generated requests
 * reach past the first checks. Every answer must be below 500, HTML must never
 * carry the marker unescaped, every JSON error must be a well-formed SPEC §4
 * error, and a redirect may only go to the server itself or the app's domain.
 */
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { ERRORS } from '../../src/core/errors.js';
import { registrableDomain } from '../../src/core/redirect.js';
import { authorize, Browser, redirectParams } from '../helpers/browserless-flow.js';
import { raw, rng, send, type Answer } from '../helpers/fuzz.js';
import { startServer, type TestServer } from '../helpers/server.js';

const TOTAL = 20_000;
const CONCURRENCY = 20;
const DEADLINE_MS = 50_000;
const MARKER = 'ghfz';
const REDIRECT = 'https://app.example.com/cb';

const PATHS = [
  '/oauth/2.0/authorize', '/oauth/2.0/token', '/oauth/2.0/device/code', '/oauth/2.0/device', '/device', '/oauth/2.0/qrcode',
  '/oauth/2.0/login_success', '/oauth/2.0/revoke', '/oauth/2.0/introspect', '/oauth/2.0/tokeninfo',
  '/rest/2.0/passport/users/getLoggedInUser', '/rest/2.0/passport/users/getInfo', '/rest/2.0/passport/auth/revokeAuthorization',
  '/rest/2.0/passport/auth/expireSession', '/.well-known/oauth-authorization-server', '/health', '/health/live', '/metrics',
  '/', '/login', '/logout', '/signup', '/setup', '/account', '/account/revoke', '/console', '/console/apps', '/console/apps/new',
  '/console/apps/APPID', '/console/apps/APPID/rotate', '/console/apps/APPID/disable', '/console/apps/APPID/enable',
  '/oauth/2.0/errors', '/oauth/2.0/errors/invalid_request', `/oauth/2.0/errors/<${MARKER}>`, '/static/gatehouse.css', '/static/copy.js',
  '/oauth/2.0/token/', '//oauth/2.0/token', '/oauth/2.0/../2.0/token', '/oauth/2.0/%2e%2e/token', '/oauth/2.0/tok%65n', '/nope',
  `/<${MARKER}>`, '/oauth/2.0/%ZZ', '/oauth/2.0/authorize%00', '/static/..%2f..%2fetc/passwd',
];
const NAMES = [
  'client_id', 'client_secret', 'redirect_uri', 'response_type', 'grant_type', 'code', 'refresh_token', 'scope', 'state',
  'code_verifier', 'code_challenge', 'code_challenge_method', 'device_code', 'token', 'token_type_hint', 'access_token',
  'user_code', 'username', 'password', 'password2', 'decision', 'csrf_token', '_step', '_t', 'lang', 'display', 'force_login',
  'confirm_login', 'format', 'next', 'name', 'root_domain', 'redirect_uris', 'grant_types', 'uid', 'setup_token', '__proto__',
  'constructor', 'hasOwnProperty', `<${MARKER}>`, '', 'a[b]', 'x'.repeat(300),
];
const METHODS = ['GET', 'GET', 'GET', 'GET', 'POST', 'POST', 'POST', 'POST', 'POST', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'PROPFIND', 'TRACE'];
const CONTENT_TYPES = [
  'application/x-www-form-urlencoded', 'application/x-www-form-urlencoded', 'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=utf-8', 'application/x-www-form-urlencoded; charset=latin1', 'application/json',
  'multipart/form-data; boundary=x', 'text/plain', 'text/html', '', `<${MARKER}>`, 'application/x-www-form-urlencoded, text/plain',
];

interface Fixtures {
  clientId: string;
  clientSecret: string;
  publicId: string;
  accessToken: string;
  refreshToken: string;
  code: string;
  deviceCode: string;
  userCode: string;
  session: string;
  csrf: string;
}

function generator(random: () => number, f: Fixtures) {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const chance = (p: number) => random() < p;
  const values = (): string => {
    switch (Math.floor(random() * 24)) {
      case 0: return f.clientId;
      case 1: return f.clientSecret;
      case 2: return f.publicId;
      case 3: return f.accessToken;
      case 4: return f.refreshToken;
      case 5: return f.code;
      case 6: return f.deviceCode;
      case 7: return pick([f.userCode, f.userCode.toLowerCase(), f.userCode.replace('-', ''), 'BCDF-GHJK']);
      case 8: return pick([REDIRECT, 'oob', 'https://evil.com/cb', 'https://example.com@evil.com/', `https://app.example.com/cb?<${MARKER}>`, 'javascript:alert(1)', 'https://例え.example.com/cb', 'https://app.example.com./cb', 'http://127.0.0.1:9/cb']);
      case 9: return pick(['code', 'token', 'device_code', 'id_token', 'code token']);
      case 10: return pick(['authorization_code', 'refresh_token', 'client_credentials', 'device_token', 'urn:ietf:params:oauth:grant-type:device_code', 'password', 'implicit']);
      case 11: return pick(['basic', 'email', 'basic,email', 'basic email', 'admin', '"', 'basic\\', '']);
      case 12: return `<script>${MARKER}</script>`;
      case 13: return `"><${MARKER} onerror=alert(1)>`;
      case 14: return `'<${MARKER}/>`;
      case 15: return 'x'.repeat(pick([1, 100, 1000, 4000]));
      case 16: return '中文 ñ 🎉 \u202e';
      case 17: return 'a\u0000b';
      case 18: return pick(['approve', 'deny', 'login', 'consent', 'code']);
      case 19: return f.csrf;
      case 20: return pick(['en', 'zh-CN', 'xx', 'svg', 'png', '1', '0', 'true']);
      case 21: return pick(['S256', 'plain', 'A'.repeat(43), 'Z'.repeat(129)]);
      default: return Math.random().toString(36).slice(2);
    }
  };
  /** One name=value pair, encoded well or badly. */
  const pair = (): string => {
    const name = chance(0.85) ? pick(NAMES) : values();
    const value = values();
    switch (Math.floor(random() * 10)) {
      case 0: return `${name}=${pick(['%', '%ZZ', '%E0%A4%A', '%C3%28', '%FF%FE', '%00', '%0D%0A', '%u0041'])}`;
      case 1: return raw(`${name}=${value}`).replace(/[ \t\r\n#&]/g, '+');
      case 2: return encodeURIComponent(name);
      default: return `${encodeURIComponent(name)}=${encodeURIComponent(value)}`;
    }
  };
  const form = (): string => {
    const pairs = Array.from({ length: Math.floor(random() * 7) }, pair);
    if (chance(0.15) && pairs.length > 0) pairs.push(pairs[0]!); // repeated parameter
    if (chance(0.01)) for (let i = 0; i < 250; i++) pairs.push(`p${i}=1`); // too many parameters
    return pairs.join('&');
  };
  return () => {
    const method = pick(METHODS);
    let path = pick(PATHS).replace('APPID', chance(0.5) ? f.clientId : `<${MARKER}>`);
    if (chance(0.02)) path = raw(`/oauth/2.0/${pick(['中文', 'ñ', '\u0001'])}`);
    const query = chance(0.7) ? form() : '';
    const headers: Record<string, string> = {};
    let body: Buffer | undefined;
    if (method !== 'GET' && method !== 'HEAD' && chance(0.85)) {
      const type = pick(CONTENT_TYPES);
      if (type !== '') headers['content-type'] = type;
      const kind = random();
      if (kind < 0.75) body = Buffer.from(form(), 'latin1');
      else if (kind < 0.85) body = Buffer.from(JSON.stringify({ grant_type: 'client_credentials', client_id: f.clientId, x: `<${MARKER}>` }));
      else if (kind < 0.95) body = Buffer.from(Array.from({ length: Math.floor(random() * 300) }, () => Math.floor(random() * 256)));
      else body = Buffer.alloc(pick([65_536, 65_537, 70_000]), 'a');
    }
    if (chance(0.3)) headers['authorization'] = pick([`Basic ${Buffer.from(`${f.clientId}:${f.clientSecret}`).toString('base64')}`, 'Basic !!!', 'Basic ', `Bearer ${f.accessToken}`, 'Bearer', `Bearer <${MARKER}>`, 'Digest x', raw('Basic 中文')]);
    if (chance(0.4)) headers['cookie'] = pick([f.session, `${f.session}; gh_session=bogus`, 'gh_session=<x>; gh_csrf=%ZZ', raw('lang=中文'), 'lang=zh-CN', '=;;=']);
    if (chance(0.2)) headers['referer'] = pick(['https://app.example.com/page', 'https://evil.com/', 'not a url', raw(`https://例え.example.com/<${MARKER}>`)]);
    if (chance(0.2)) headers['accept-language'] = pick(['zh-CN,zh;q=0.9', 'en', '*', `<${MARKER}>`, 'q=;;;']);
    if (chance(0.05)) headers['x-forwarded-for'] = pick(['1.2.3.4', 'garbage', '::1, 10.0.0.1']);
    return { method, path: query === '' ? path : `${path}?${query}`, headers, body };
  };
}

describe('HTTP fuzz of every endpoint (bounded: 20,000 requests, loopback, 20 at a time)', () => {
  let server: TestServer;
  let fixtures: Fixtures;

  before(async () => {
    server = await startServer({ env: { GATEHOUSE_LOG_LEVEL: 'silent' } });
    const made = await server.createApp({ rootDomain: 'example.com', redirectUris: [] });
    const open = await server.createApp({ rootDomain: 'example.com', isPublic: true });
    const person = await server.createUser();
    const browser = new Browser(server.url);
    const final = await authorize(browser, { response_type: 'code', client_id: made.clientId, redirect_uri: REDIRECT }, person);
    const code = redirectParams(final.location!).get('code')!;
    const second = redirectParams((await authorize(browser, { response_type: 'code', client_id: made.clientId, redirect_uri: REDIRECT }, person)).location!).get('code')!;
    const tokens = await (await fetch(`${server.url}/oauth/2.0/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: made.clientId, client_secret: made.clientSecret! }) })).json();
    const device = await (await fetch(`${server.url}/oauth/2.0/device/code`, { method: 'POST', body: new URLSearchParams({ client_id: made.clientId, scope: 'basic' }) })).json();
    const page = await browser.request('/oauth/2.0/device');
    fixtures = {
      clientId: made.clientId,
      clientSecret: made.clientSecret!,
      publicId: open.clientId,
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token,
      code: second,
      deviceCode: device.device_code,
      userCode: device.user_code,
      session: browser.jar.header(),
      csrf: /name="csrf_token" value="([^"]+)"/.exec(page.body)![1]!,
    };
  });
  after(() => server.close());

  it('answers every generated request below 500, escapes the marker in HTML, sends well-formed SPEC §4 JSON errors, and redirects only to trusted hosts', async (t) => {
    const base = new URL(server.url);
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const next = generator(rng(0x5eed), fixtures);
    const counts = { sent: 0, refusedByClient: 0, transportErrors: 0, byStatus: new Map<number, number>(), jsonErrors: 0, html: 0, redirects: 0 };
    const failures: string[] = [];
    const started = Date.now();
    const issuerHost = base.host;

    const check = (req: { method: string; path: string }, answer: Answer) => {
      const where = `${req.method} ${req.path.slice(0, 160)}`;
      counts.byStatus.set(answer.status, (counts.byStatus.get(answer.status) ?? 0) + 1);
      if (answer.status >= 500) failures.push(`${answer.status} for ${where}: ${answer.body.slice(0, 200)}`);
      const type = String(answer.headers['content-type'] ?? '');
      if (type.startsWith('text/html')) {
        counts.html++;
        if (answer.body.includes(`<${MARKER}`) || answer.body.includes(`<script>${MARKER}`)) failures.push(`unescaped marker in HTML for ${where}`);
      }
      if (type.startsWith('application/json') && answer.status >= 400 && req.method !== 'HEAD') {
        counts.jsonErrors++;
        let json: Record<string, unknown>;
        try {
          json = JSON.parse(answer.body);
        } catch {
          failures.push(`JSON error that does not parse for ${where}`);
          return;
        }
        const code = json['error'];
        if (typeof code !== 'string' || !(code in ERRORS)) failures.push(`error ${String(code)} not in the table for ${where}`);
        else if (typeof json['error_description'] !== 'string' || json['error_uri'] !== `${server.url}/oauth/2.0/errors/${code}`) failures.push(`malformed error body for ${where}: ${answer.body.slice(0, 200)}`);
        else if (ERRORS[code as keyof typeof ERRORS].status !== answer.status && ![404, 405, 413, 429].includes(answer.status)) failures.push(`status ${answer.status} for ${code} at ${where}`);
      }
      const location = answer.headers['location'];
      if (typeof location === 'string') {
        counts.redirects++;
        const target = new URL(location, server.url);
        const trusted = target.host === issuerHost || registrableDomain(target.hostname) === 'example.com' || (target.hostname === '127.0.0.1' && target.protocol === 'http:');
        if (!trusted) failures.push(`redirect to ${location.slice(0, 120)} for ${where}`);
        if (!/^[\x21-\x7e]+$/.test(location)) failures.push(`non-ASCII Location for ${where}`);
        if (location.includes(`<${MARKER}`)) failures.push(`unencoded marker in Location for ${where}`);
      }
    };

    const worker = async () => {
      while (counts.sent < TOTAL && Date.now() - started < DEADLINE_MS) {
        counts.sent++;
        const req = next();
        const answer = await send(base, agent, req);
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

    const health = await fetch(`${server.url}/health`);
    const seconds = (Date.now() - started) / 1000;
    const statuses = [...counts.byStatus].sort(([a], [b]) => a - b).map(([status, n]) => `${status}:${n}`).join(' ');
    t.diagnostic(`fuzz: ${counts.sent} requests in ${seconds.toFixed(1)} s (${Math.round(counts.sent / seconds)}/s), ${counts.refusedByClient} refused by the client library, ${counts.transportErrors} transport errors`);
    t.diagnostic(`fuzz: statuses ${statuses}; ${counts.html} HTML pages checked for reflection, ${counts.jsonErrors} JSON errors checked, ${counts.redirects} redirects checked`);
    assert.deepEqual(failures.slice(0, 20), []);
    assert.equal(health.status, 200, 'the server is still healthy after the fuzz');
    assert.ok(counts.sent >= 5_000, `only ${counts.sent} requests were sent before the deadline`);
    // A transport error is a server that dropped a connection it should have answered (a 413 may close the socket early).
    assert.ok(counts.transportErrors <= counts.sent / 100, `${counts.transportErrors} transport errors`);
  });
});
