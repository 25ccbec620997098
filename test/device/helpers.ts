/** Shared by the device flow tests: a server with a clock the test moves, the device's requests, and the person's browserless visit. */
import { fakeClock, type TestClock } from '../helpers/fixtures.js';
import { Browser, type PageResponse } from '../helpers/browserless-flow.js';
import { startServer, type StartOptions, type TestServer } from '../helpers/server.js';
import type { DeviceAuthorizationResponse } from '../../src/core/device.js';
import { MemoryRateLimiter } from '../../src/storage/memory/rate-limiter.js';
import { createTestSchema } from '../storage/pg-schema.js';

export const RFC_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** The two ways to poll (SPEC §1): Baidu's grant and parameter, and RFC 8628's. */
export const DIALECTS = [
  { name: 'Baidu', grantType: 'device_token', parameter: 'code', declined: 'authorization_declined' },
  { name: 'RFC 8628', grantType: RFC_GRANT, parameter: 'device_code', declined: 'access_denied' },
] as const;
export type Dialect = (typeof DIALECTS)[number];

export interface JsonResponse {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
}

/**
 * A real server on loopback whose clock (and rate limiter's clock) only moves
 * when the test says so; on a fresh PostgreSQL schema when `pgBase` is given
 * (dropped on close), else on a fresh SQLite file.
 */
export async function startClockedServer(options: StartOptions & { pgBase?: string } = {}): Promise<{ server: TestServer; clock: TestClock }> {
  const { pgBase, ...rest } = options;
  const clock = fakeClock(Date.now());
  const schema = pgBase === undefined ? undefined : await createTestSchema(pgBase);
  const server = await startServer({
    ...rest,
    ...(schema ? { databaseUrl: schema.url } : {}),
    deps: { clock, rateLimiter: new MemoryRateLimiter(clock.now), ...rest.deps },
  });
  if (schema !== undefined) {
    const close = server.close.bind(server);
    server.close = async () => {
      await close();
      await schema.drop();
    };
  }
  return { server, clock };
}

export async function call(base: string, path: string, params: Record<string, string>, init: { method?: 'GET' | 'POST'; headers?: Record<string, string> } = {}): Promise<JsonResponse> {
  const method = init.method ?? 'POST';
  const query = new URLSearchParams(params).toString();
  const response = await fetch(new URL(method === 'GET' ? `${path}?${query}` : path, base), {
    method,
    headers: { ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...init.headers },
    ...(method === 'POST' ? { body: query } : {}),
  });
  return { status: response.status, headers: response.headers, json: (await response.json()) as Record<string, unknown> };
}

export async function requestDevice(base: string, params: Record<string, string>, method: 'GET' | 'POST' = 'POST'): Promise<DeviceAuthorizationResponse> {
  const response = await call(base, '/oauth/2.0/device/code', params, { method });
  if (response.status !== 200) throw new Error(`device endpoint answered ${response.status}: ${JSON.stringify(response.json)}`);
  return response.json as unknown as DeviceAuthorizationResponse;
}

export function poll(base: string, dialect: Dialect, deviceCode: string, credentials: Record<string, string>): Promise<JsonResponse> {
  return call(base, '/oauth/2.0/token', { grant_type: dialect.grantType, [dialect.parameter]: deviceCode, ...credentials });
}

/**
 * A person at the verification page: opens verification_uri, types the code,
 * signs in when asked, and answers the consent page. Returns the last page.
 */
export async function visitDevicePage(
  base: string,
  typed: string,
  person: { username: string; password: string },
  decision: 'approve' | 'deny' = 'approve',
  browser = new Browser(base),
): Promise<PageResponse> {
  let page = await browser.request('/oauth/2.0/device');
  page = await browser.submit(page, { user_code: typed });
  if (page.body.includes('name="password"')) page = await browser.submit(page, { username: person.username, password: person.password });
  if (page.body.includes('name="decision"')) page = await browser.submit(page, { decision });
  return page;
}

/** The client parameters at the token endpoint. */
export function clientParams(client: { clientId: string; clientSecret: string | undefined }): Record<string, string> {
  return client.clientSecret === undefined ? { client_id: client.clientId } : { client_id: client.clientId, client_secret: client.clientSecret };
}
