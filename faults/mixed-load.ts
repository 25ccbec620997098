/**
 * A bounded mixed load on loopback for the soak (faults/soak.ts) and the
 * crash suites: every grant (client credentials, code + PKCE with OpenID,
 * refresh, implicit, device in both dialects), introspection, tokeninfo,
 * revocation, userinfo and the pages a person sees. Each request names the
 * statuses it may get; anything else is kept as unexpected. Errors the load
 * asks for on purpose (a bad code, an unknown grant, a replayed refresh
 * token) have their own expected status and `error` code.
 */
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Browser, redirectParams, type PageResponse } from '../test/helpers/browserless-flow.js';

export interface LoadTarget {
  /** The instance for the next request (a round-robin over several, or one). */
  base(): string;
  client: { client_id: string; client_secret: string };
  person: { username: string; password: string };
  redirectUri: string;
}

export class Tally {
  readonly counts = new Map<string, number>();
  readonly unexpected: string[] = [];
  unexpectedCount = 0;
  total = 0;

  note(name: string, status: number | string, expected: readonly (number | string)[], detail = ''): boolean {
    this.total += 1;
    const key = `${name} ${status}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    if (expected.includes(status)) return true;
    this.reject(`${key} ${detail}`);
    return false;
  }

  reject(what: string): void {
    this.unexpectedCount += 1;
    if (this.unexpected.length < 50) this.unexpected.push(what.slice(0, 400));
  }

  /**
   * Set while a fault is injected (the crash suites). A cycle of a worker that
   * overlaps it may meet 503 temporarily_unavailable, and the knock-on 4xx of
   * a flow cut in the middle (a code never exchanged, an approval never
   * saved); those are counted as tolerated. Never tolerated: a 5xx other than
   * 503, a 503 without temporarily_unavailable, a connection error.
   */
  fault = false;
  /** Also forgive connection errors in an overlapping cycle (an instance is being killed). */
  instanceKills = false;
  faultEpoch = 0;
  tolerated = 0;

  startFault(): void {
    this.fault = true;
    this.faultEpoch += 1;
  }

  endFault(): void {
    this.fault = false;
  }

  byStatus(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [key, n] of this.counts) {
      const status = key.slice(key.lastIndexOf(' ') + 1);
      out.set(status, (out.get(status) ?? 0) + n);
    }
    return out;
  }
}

type Json = Record<string, unknown>;

/** Where a request's answer is noted: the tally, or a worker that judges its cycle as a whole. */
interface Recorder {
  note(name: string, status: number | string, expected: readonly (number | string)[], detail?: string): boolean;
}

// An OAuth error or page names the code; /health says which dependency is gone.
const UNAVAILABLE = /temporarily_unavailable|"database":"unreachable"/;

/** A page's answer noted; a 503 page must name temporarily_unavailable. */
function notePage(recorder: Recorder, name: string, page: PageResponse, expected: readonly number[]): boolean {
  return recorder.note(name, page.status, expected, page.status === 503 && !UNAVAILABLE.test(page.body) ? `503 without temporarily_unavailable: ${page.body.slice(0, 200)}` : page.body.slice(0, 200));
}

async function call(tally: Recorder, name: string, url: string, init: RequestInit, expected: readonly number[], error?: string): Promise<{ status: number; json: Json; headers: Headers } | undefined> {
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'manual', ...init });
  } catch (cause) {
    tally.note(name, 'connection error', [], String(cause));
    return undefined;
  }
  const text = await response.text();
  let json: Json = {};
  try {
    json = text === '' ? {} : (JSON.parse(text) as Json);
  } catch {
    // a page, not JSON
  }
  const ok = tally.note(name, response.status, expected, response.status === 503 && !UNAVAILABLE.test(text) ? `503 without temporarily_unavailable: ${text.slice(0, 200)}` : text.slice(0, 200));
  if (ok && error !== undefined && json['error'] !== error) tally.note(`${name} error=${String(json['error'])}`, 'wrong error', [], text.slice(0, 200));
  return { status: response.status, json, headers: response.headers };
}

const form = (params: Record<string, string>): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(params).toString(),
});

const pkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

/** One worker's state: a browser signed in once (a fresh sign-in now and then). */
export class Worker implements Recorder {
  private browser: Browser | undefined;
  private cycle = 0;
  /** Access tokens answered 200, for a check afterwards (capped). */
  readonly answered: string[] = [];
  /** id_tokens answered 200 (capped like `answered`), for a signature check afterwards. */
  readonly idTokens: string[] = [];
  /** This cycle's unexpected answers, judged when it ends (Tally.fault). */
  private misses: { status: number | string; what: string }[] = [];
  private readonly tally: Recorder;

  constructor(private readonly target: LoadTarget, private readonly counts: Tally, private readonly keep = 0) {
    this.tally = this;
  }

  note(name: string, status: number | string, expected: readonly (number | string)[], detail = ''): boolean {
    this.counts.total += 1;
    const key = `${name} ${status}`;
    this.counts.counts.set(key, (this.counts.counts.get(key) ?? 0) + 1);
    if (expected.includes(status)) return true;
    this.misses.push({ status, what: `${key} ${detail}` });
    return false;
  }

  /** Runs one cycle and judges its unexpected answers: tolerated only when it overlapped a fault. */
  private async judged(run: () => Promise<void>): Promise<void> {
    const epoch = this.counts.faultEpoch;
    const faultAtStart = this.counts.fault;
    this.misses = [];
    try {
      await run();
    } catch (cause) {
      this.misses.push({ status: 'exception', what: `cycle threw: ${String(cause)}` });
    }
    const overlapped = faultAtStart || this.counts.fault || this.counts.faultEpoch !== epoch;
    for (const miss of this.misses) {
      const forgivable =
        miss.status === 503 ? !miss.what.includes('503 without') : typeof miss.status === 'number' ? miss.status < 500 : miss.status === 'exception' || (miss.status === 'connection error' && this.counts.instanceKills);
      if (overlapped && forgivable) this.counts.tolerated += 1;
      else this.counts.reject(miss.what);
    }
  }

  private creds() {
    return { client_id: this.target.client.client_id, client_secret: this.target.client.client_secret };
  }

  private remember(token: unknown) {
    if (typeof token === 'string' && this.answered.length < this.keep) this.answered.push(token);
  }

  private async signedIn(): Promise<Browser> {
    if (this.browser === undefined || this.cycle % 50 === 0) {
      const browser = new Browser(this.target.base());
      Object.defineProperty(browser, 'base', { get: () => this.target.base() });
      const page = await browser.request('/login');
      if (!notePage(this, 'GET /login', page, [200])) throw new Error(`GET /login ${page.status}`);
      const done = await browser.submit(page, { username: this.target.person.username, password: this.target.person.password });
      if (!notePage(this, 'POST /login', done, [303])) throw new Error(`POST /login ${done.status}`);
      this.browser = browser;
    }
    return this.browser;
  }

  async clientCredentials(): Promise<void> {
    const base = this.target.base();
    const issued = await call(this.tally, 'token client_credentials', `${base}/oauth/2.0/token`, form({ grant_type: 'client_credentials', ...this.creds() }), [200]);
    const token = issued?.json['access_token'];
    if (typeof token !== 'string') return;
    this.remember(token);
    await call(this.tally, 'introspect', `${this.target.base()}/oauth/2.0/introspect`, form({ token, ...this.creds() }), [200]);
    await call(this.tally, 'tokeninfo', `${this.target.base()}/oauth/2.0/tokeninfo?access_token=${encodeURIComponent(token)}`, {}, [200]);
    if (this.cycle % 10 === 0) {
      await call(this.tally, 'revoke', `${this.target.base()}/oauth/2.0/revoke`, form({ token, ...this.creds() }), [200]);
      const after = await call(this.tally, 'introspect revoked', `${this.target.base()}/oauth/2.0/introspect`, form({ token, ...this.creds() }), [200]);
      if (after?.status === 200 && after.json['active'] !== false) this.tally.note('introspect revoked active', String(after.json['active']), [false as unknown as string]);
      this.forget(token);
    }
  }

  /**
   * Code + PKCE, every other time with openid (an id_token, userinfo; no refresh token without
   * offline_access, OpenID Connect Core §11), else plain (a refresh token): exchange,
   * getLoggedInUser, refresh, and now and then a replayed code or refresh token.
   */
  async codeFlow(): Promise<void> {
    const browser = await this.signedIn();
    const openid = this.cycle % 2 === 1;
    const { verifier, challenge } = pkce();
    const nonce = randomBytes(8).toString('hex');
    const params = { response_type: 'code', client_id: this.target.client.client_id, redirect_uri: this.target.redirectUri, scope: openid ? 'basic openid' : 'basic', code_challenge: challenge, code_challenge_method: 'S256', nonce, state: 's' };
    let page = await browser.request(`/oauth/2.0/authorize?${new URLSearchParams(params)}`);
    if (page.status === 200 && page.body.includes('name="decision"')) page = await browser.submit(page, { decision: 'approve' });
    if (!notePage(this, 'authorize code', page, [302])) return;
    const code = redirectParams(page.location!).get('code');
    if (code === null) return void this.tally.note('authorize code without code', 'no code', [], page.location!);
    const exchanged = await call(this.tally, 'token authorization_code', `${this.target.base()}/oauth/2.0/token`, form({ grant_type: 'authorization_code', code, redirect_uri: this.target.redirectUri, code_verifier: verifier, ...this.creds() }), [200]);
    const access = exchanged?.json['access_token'];
    const refresh = exchanged?.json['refresh_token'];
    if (typeof access !== 'string') return;
    this.remember(access);
    if (openid) {
      const idToken = exchanged?.json['id_token'];
      if (typeof idToken !== 'string') this.tally.note('token authorization_code id_token', 'missing', []);
      else if (this.idTokens.length < this.keep) this.idTokens.push(idToken);
      await call(this.tally, 'userinfo', `${this.target.base()}/oauth/2.0/userinfo`, { headers: { authorization: `Bearer ${access}` } }, [200]);
    }
    await call(this.tally, 'getLoggedInUser', `${this.target.base()}/rest/2.0/passport/users/getLoggedInUser?access_token=${encodeURIComponent(access)}`, {}, [200]);
    // The same code again: invalid_grant, and it revokes what the code issued (RFC 6749 §4.1.2).
    if (this.cycle % 7 === 0) {
      await call(this.tally, 'token code replay', `${this.target.base()}/oauth/2.0/token`, form({ grant_type: 'authorization_code', code, redirect_uri: this.target.redirectUri, code_verifier: verifier, ...this.creds() }), [400], 'invalid_grant');
      this.forget(access);
      return;
    }
    if (openid) return;
    if (typeof refresh !== 'string') return void this.tally.note('token authorization_code refresh_token', 'missing', []);
    const refreshed = await call(this.tally, 'token refresh_token', `${this.target.base()}/oauth/2.0/token`, form({ grant_type: 'refresh_token', refresh_token: refresh, ...this.creds() }), [200]);
    if (refreshed === undefined || refreshed.status !== 200) return;
    // A refresh rotates: the old access token's family lives on in the new pair.
    this.remember(refreshed.json['access_token']);
    if (this.cycle % 5 === 0) {
      await call(this.tally, 'token refresh replay', `${this.target.base()}/oauth/2.0/token`, form({ grant_type: 'refresh_token', refresh_token: refresh, ...this.creds() }), [400], 'expired_token');
      // The replay revoked the family (RFC 9700 §4.14.2): those tokens are no longer owed.
      this.forget(access);
      this.forget(refreshed.json['access_token']);
    }
  }

  private forget(token: unknown): void {
    const at = this.answered.indexOf(token as string);
    if (at >= 0) this.answered.splice(at, 1);
  }

  async implicit(): Promise<void> {
    const browser = await this.signedIn();
    const page = await browser.request(`/oauth/2.0/authorize?${new URLSearchParams({ response_type: 'token', client_id: this.target.client.client_id, redirect_uri: this.target.redirectUri, scope: 'basic', state: 'i' })}`);
    if (!notePage(this, 'authorize token', page, [302])) return;
    const token = redirectParams(page.location!, 'fragment').get('access_token');
    if (token === null) this.tally.note('authorize token without token', 'none', []);
    else this.remember(token);
  }

  /** RFC 8628 (or Baidu's dialect every other time): code, a pending poll, the person approves, the token. */
  async device(interval: number): Promise<void> {
    const baidu = this.cycle % 2 === 0;
    const started = await call(this.tally, 'device/code', `${this.target.base()}/oauth/2.0/device/code`, form({ ...this.creds(), scope: 'basic' }), [200]);
    const deviceCode = started?.json['device_code'];
    const userCode = started?.json['user_code'];
    if (typeof deviceCode !== 'string' || typeof userCode !== 'string') return;
    const pollParams = baidu ? { grant_type: 'device_token', code: deviceCode, ...this.creds() } : { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: deviceCode, ...this.creds() };
    await call(this.tally, 'token device pending', `${this.target.base()}/oauth/2.0/token`, form(pollParams), [400], 'authorization_pending');
    const browser = await this.signedIn();
    let page = await browser.request('/oauth/2.0/device');
    page = await browser.submit(page, { user_code: userCode });
    if (page.body.includes('name="decision"')) page = await browser.submit(page, { decision: 'approve' });
    notePage(this, 'device page approve', page, [200]);
    await sleep(interval * 1000 + 50);
    const polled = await call(this.tally, 'token device', `${this.target.base()}/oauth/2.0/token`, form(pollParams), [200]);
    this.remember(polled?.json['access_token']);
  }

  async pages(): Promise<void> {
    const browser = await this.signedIn();
    for (const [path, status] of [['/', 200], ['/account', 200], ['/oauth/2.0/errors', 200], ['/oauth/2.0/errors/invalid_grant', 200], ['/static/gatehouse.css', 200]] as const) {
      const page = await browser.request(path);
      notePage(this, `GET ${path}`, page, [status]);
    }
    for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', '/oauth/2.0/jwks', '/health']) {
      await call(this.tally, `GET ${path}`, `${this.target.base()}${path}`, {}, [200]);
    }
  }

  /** Errors the load asks for: each has its one expected status and code. */
  async askedForErrors(): Promise<void> {
    await call(this.tally, 'token bad code', `${this.target.base()}/oauth/2.0/token`, form({ grant_type: 'authorization_code', code: 'nope', redirect_uri: this.target.redirectUri, ...this.creds() }), [400], 'invalid_grant');
    await call(this.tally, 'token unknown grant', `${this.target.base()}/oauth/2.0/token`, form({ grant_type: 'password', ...this.creds() }), [400], 'unsupported_grant_type');
    await call(this.tally, 'userinfo no token', `${this.target.base()}/oauth/2.0/userinfo`, {}, [401]);
  }

  async once(deviceInterval: number): Promise<void> {
    this.cycle += 1;
    await this.judged(async () => {
      await this.clientCredentials();
      await this.codeFlow();
      if (this.cycle % 2 === 0) await this.implicit();
      if (this.cycle % 4 === 0) await this.device(deviceInterval);
      if (this.cycle % 3 === 0) await this.pages();
      if (this.cycle % 6 === 0) await this.askedForErrors();
    });
  }
}

/** `workers` loops of Worker.once until `until()` (checked between cycles), a pause of `pauseMs` between cycles. */
export async function mixedLoad(target: LoadTarget, options: { workers: number; until: () => boolean; pauseMs?: number; deviceInterval?: number; keep?: number; tally?: Tally }): Promise<{ tally: Tally; answered: string[]; idTokens: string[] }> {
  const tally = options.tally ?? new Tally();
  const workers = Array.from({ length: options.workers }, () => new Worker(target, tally, options.keep ?? 0));
  await Promise.all(
    workers.map(async (worker) => {
      while (!options.until()) {
        await worker.once(options.deviceInterval ?? 1);
        if (options.pauseMs) await sleep(options.pauseMs);
      }
    }),
  );
  return { tally, answered: workers.flatMap((worker) => worker.answered), idTokens: workers.flatMap((worker) => worker.idTokens) };
}
