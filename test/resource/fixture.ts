/**
 * One running Gatehouse for the resource-server tests: a clock the tests can
 * move (to expire tokens), a person, and apps of every kind — the app under
 * test, another developer's app, a resource server, a public app — with
 * helpers that obtain tokens the way real clients do.
 */
import assert from 'node:assert/strict';
import type { Clock } from '../../src/core/ports.js';
import { codeFlowTokens, type TokenJson } from '../helpers/browserless-flow.js';
import { basic } from '../helpers/fixtures.js';
import { startServer, type TestServer } from '../helpers/server.js';

export interface Client {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json(): unknown;
}

export interface ResourceFixture {
  server: TestServer;
  /** Moves the server's clock forward. */
  advance(seconds: number): void;
  person: { uid: string; username: string; password: string };
  /** The app under test (root domain example.com). */
  own: Client;
  /** Another developer's app (root domain example.org). */
  other: Client;
  /** Marked by the operator as a resource server. */
  rs: Client;
  newClient(options?: { rootDomain?: string; isResourceServer?: boolean; scopes?: string[] }): Promise<Client>;
  codeTokens(client: Client, scope?: string): Promise<TokenJson>;
  ccToken(client: Client, scope?: string): Promise<string>;
  post(path: string, form: Record<string, string>, authorization?: string): Promise<Reply>;
  get(path: string, headers?: Record<string, string>): Promise<Reply>;
  /** Whether the resource server's introspection calls `token` active. */
  isActive(token: string): Promise<boolean>;
  /** The three fields of every SPEC §4 error, for deepEqual. */
  errorBody(code: string, description: string): { error: string; error_description: string; error_uri: string };
}

export { basic };

async function reply(response: Response): Promise<Reply> {
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
}

/** On a fresh SQLite file, or on `databaseUrl` (a PostgreSQL test schema). */
export async function startResourceFixture(databaseUrl?: string): Promise<ResourceFixture> {
  let offset = 0;
  const clock: Clock = { now: () => Date.now() + offset };
  const server = await startServer({ deps: { clock }, ...(databaseUrl ? { databaseUrl } : {}) });
  let domains = 0;
  const newClient: ResourceFixture['newClient'] = async (options = {}) => {
    const rootDomain = options.rootDomain ?? `site${++domains}-example.com`;
    const redirectUri = `https://app.${rootDomain}/cb`;
    const { clientId, clientSecret } = await server.createApp({
      rootDomain,
      redirectUris: [redirectUri],
      scopes: options.scopes ?? ['basic', 'email'],
      isResourceServer: options.isResourceServer ?? false,
    });
    return { clientId, clientSecret: clientSecret!, redirectUri };
  };
  const post: ResourceFixture['post'] = async (path, form, authorization) =>
    reply(
      await fetch(new URL(path, server.url), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization ? { authorization } : {}) },
        body: new URLSearchParams(form),
      }),
    );
  try {
    const person = await server.createUser();
    const rs = await newClient({ rootDomain: 'resource-server.com', isResourceServer: true });
    return {
      server,
      advance: (seconds) => {
        offset += seconds * 1000;
      },
      person,
      own: await newClient({ rootDomain: 'example.com' }),
      other: await newClient({ rootDomain: 'example.org' }),
      rs,
      newClient,
      codeTokens: (client, scope) => codeFlowTokens(server.url, { ...client, ...(scope ? { scope } : {}) }, person),
      async ccToken(client, scope) {
        const answer = await post('/oauth/2.0/token', { grant_type: 'client_credentials', ...(scope ? { scope } : {}) }, basic(client.clientId, client.clientSecret));
        if (answer.status !== 200) throw new Error(`client_credentials failed: ${answer.text}`);
        return (answer.json() as TokenJson).access_token;
      },
      post,
      get: async (path, headers = {}) => reply(await fetch(new URL(path, server.url), { headers })),
      isActive: async (token) => ((await post('/oauth/2.0/introspect', { token }, basic(rs.clientId, rs.clientSecret))).json() as { active: boolean }).active,
      errorBody: (code, description) => ({ error: code, error_description: description, error_uri: `${server.url}/oauth/2.0/errors/${code}` }),
    };
  } catch (error) {
    // A failed setup must not leave the server holding the test process open.
    await server.close();
    throw error;
  }
}

/** A token of the right shape that was never issued. */
export const UNKNOWN_TOKEN = `123456.${'A'.repeat(43)}`;

/** A protected resource's 401 invalid_token (RFC 6750 §3.1) with Baidu's error_code 110 (invalid) or 111 (expired). */
export function assertInvalidToken(f: ResourceFixture, answer: Reply, description: string, code: 110 | 111): void {
  assert.equal(answer.status, 401);
  assert.equal(answer.headers.get('www-authenticate'), `Bearer realm="gatehouse", error="invalid_token", error_description="${description}"`);
  assert.equal(answer.headers.get('cache-control'), 'no-store');
  assert.deepEqual(answer.json(), {
    ...f.errorBody('invalid_token', description),
    error_code: code,
    error_msg: code === 110 ? 'Access token invalid or no longer valid' : 'Access token expired',
  });
}
