/**
 * Every request Gatehouse makes to a URL someone else chose (back-channel
 * logout, a registered jwks_uri, client metadata documents): SPEC §9's rules
 * in one place.
 *
 * - Never to loopback, private, link-local or other non-unicast addresses,
 *   checked on the address each connection actually goes to (after DNS, and
 *   again on every redirect hop) by request-filtering-agent, unless
 *   GATEHOUSE_ALLOW_PRIVATE_FETCH=1 (tests, a lab).
 * - https only; plain http only to a loopback host, and only under that flag.
 * - One deadline for the whole exchange (default 5 s: connect, headers, body).
 * - The body is read up to `maxBytes` (default 64 KiB) and the rest dropped.
 * - Redirects are not followed unless `maxRedirects` allows it; each hop is
 *   checked by the same rules.
 *
 * A URL the rules forbid throws OutboundRefused (no retry will help); any
 * other failure (timeout, refused connection, reset) throws OutboundError.
 */
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';

export interface OutboundPolicy {
  /** GATEHOUSE_ALLOW_PRIVATE_FETCH: private and loopback addresses allowed, plain http to loopback allowed. */
  allowPrivate: boolean;
  /**
   * Addresses allowed although the rule forbids them (request-filtering-agent's allowIPAddressList),
   * plain http included: a test's loopback server whose redirects to other forbidden addresses must
   * still be refused. Never set from configuration.
   */
  allowAddresses?: readonly string[];
}

export interface OutboundRequest {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** The whole exchange (ms, default 5000). */
  timeoutMs?: number;
  /** Bytes of body kept (default 65536); more is dropped and `truncated` set. */
  maxBytes?: number;
  /** Redirects followed (default 0: a 3xx is the answer). */
  maxRedirects?: number;
}

export interface OutboundResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  truncated: boolean;
  /** The URL that answered (after redirects). */
  url: string;
}

/** The URL is not one Gatehouse may fetch. */
export class OutboundRefused extends Error {}
/** The fetch failed (timeout, connection refused, reset…). */
export class OutboundError extends Error {}

export const DEFAULT_TIMEOUT_MS = 5_000;
export const DEFAULT_MAX_BYTES = 64 * 1024;

const filteringHttp = new RequestFilteringHttpAgent({ keepAlive: false });
const filteringHttps = new RequestFilteringHttpsAgent({ keepAlive: false });
const plainHttp = new http.Agent({ keepAlive: false });
const plainHttps = new https.Agent({ keepAlive: false });

function listedAgent(secure: boolean, allowIPAddressList: readonly string[]): http.Agent {
  const options = { keepAlive: false, allowIPAddressList: [...allowIPAddressList] };
  return secure ? new RequestFilteringHttpsAgent(options) : new RequestFilteringHttpAgent(options);
}

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/** Why `url` may not be fetched under `policy`, or undefined when it may (the address rule is checked again at connect time). */
export function refusalReason(url: URL, policy: OutboundPolicy): string | undefined {
  if (url.username !== '' || url.password !== '') return 'a URL with credentials is not fetched';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol !== 'http:') return `the scheme ${url.protocol} is not fetched`;
  if (!isLoopbackHost(url.hostname)) return 'plain http is fetched only from a loopback host';
  if (!policy.allowPrivate && !(policy.allowAddresses ?? []).includes(url.hostname.replace(/^\[|\]$/g, ''))) return 'loopback and private addresses are not fetched unless GATEHOUSE_ALLOW_PRIVATE_FETCH=1';
  return undefined;
}

const REFUSED_BY_AGENT = /is not allowed\. Because/;

function once(url: URL, request: OutboundRequest, policy: OutboundPolicy, deadline: number): Promise<OutboundResponse> {
  const reason = refusalReason(url, policy);
  if (reason !== undefined) return Promise.reject(new OutboundRefused(reason));
  const secure = url.protocol === 'https:';
  const agent = policy.allowPrivate ? (secure ? plainHttps : plainHttp) : policy.allowAddresses?.length ? listedAgent(secure, policy.allowAddresses) : secure ? filteringHttps : filteringHttp;
  const maxBytes = request.maxBytes ?? DEFAULT_MAX_BYTES;
  const headers: Record<string, string> = { 'user-agent': 'Gatehouse', ...request.headers };
  if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
  return new Promise((resolve, reject) => {
    const left = deadline - Date.now();
    if (left <= 0) {
      reject(new OutboundError('timed out'));
      return;
    }
    const req = (secure ? https : http).request(url, { method: request.method ?? 'GET', headers, agent });
    const timer = setTimeout(() => req.destroy(new OutboundError(`timed out after ${request.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`)), left);
    timer.unref();
    const fail = (error: Error) => {
      clearTimeout(timer);
      if (error instanceof OutboundError || error instanceof OutboundRefused) reject(error);
      else if (REFUSED_BY_AGENT.test(error.message)) reject(new OutboundRefused(`the address is not fetched: ${error.message}`));
      else reject(new OutboundError(error.message || (error as NodeJS.ErrnoException).code || 'request failed'));
    };
    req.on('error', fail);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      let truncated = false;
      res.on('data', (chunk: Buffer) => {
        if (kept >= maxBytes) {
          truncated = true;
          return;
        }
        const part = chunk.subarray(0, maxBytes - kept);
        if (part.length < chunk.length) truncated = true;
        chunks.push(part);
        kept += part.length;
        // Enough read: stop downloading the rest.
        if (truncated) res.destroy();
      });
      const done = () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), truncated, url: url.toString() });
      };
      res.on('end', done);
      res.on('close', () => {
        if (truncated) done();
      });
      res.on('error', (error) => (truncated ? done() : fail(error)));
    });
    req.end(request.body);
  });
}

/** Fetches `url` under the rules above. */
export async function outboundFetch(target: string | URL, request: OutboundRequest, policy: OutboundPolicy): Promise<OutboundResponse> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new OutboundRefused(`${String(target)} is not an absolute URL`);
  }
  const deadline = Date.now() + (request.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  for (let hop = 0; ; hop++) {
    const response = await once(url, request, policy, deadline);
    const location = response.headers.location;
    if (response.status < 300 || response.status >= 400 || location === undefined || hop >= (request.maxRedirects ?? 0)) return response;
    url = new URL(location, url);
  }
}
