/** A real server with an admin app made as `clients create --admin` makes it, its token, and a JSON caller. */
import { registerApp } from '../../src/core/apps.js';
import { startServer, TEST_CONTEXT, type StartOptions, type TestServer } from '../helpers/server.js';

export interface AdminFixture {
  server: TestServer;
  admin: { clientId: string; clientSecret: string };
  token: string;
  call(method: string, path: string, body?: unknown, token?: string | null): Promise<Answer>;
  close(): Promise<void>;
}

export interface Answer {
  status: number;
  headers: Headers;
  type: string | null;
  text: string;
  json: any;
}

export async function clientCredentials(base: string, clientId: string, clientSecret: string, scope?: string): Promise<{ status: number; json: any }> {
  const response = await fetch(`${base}/oauth/2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, ...(scope ? { scope } : {}) }),
  });
  return { status: response.status, json: await response.json() };
}

export async function makeAdminApp(server: TestServer): Promise<{ clientId: string; clientSecret: string }> {
  const stores = server.instance.services.stores;
  const known = new Set((await stores.scopes.listScopes()).map((scope) => scope.name));
  const { app, clientSecret } = await registerApp(stores, { name: 'Operator automation', rootDomain: 'example.com', isAdmin: true }, known, TEST_CONTEXT());
  return { clientId: app.clientId, clientSecret: clientSecret! };
}

export async function call(base: string, method: string, path: string, body: unknown, token: string | null): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (token !== null) headers['authorization'] = `Bearer ${token}`;
  let payload: string | undefined;
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const response = await fetch(`${base}${path}`, { method, headers, ...(payload === undefined ? {} : { body: payload }) });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, type: response.headers.get('content-type'), text, json };
}

export async function adminFixture(options: StartOptions = {}): Promise<AdminFixture> {
  const server = await startServer(options);
  const admin = await makeAdminApp(server);
  const granted = await clientCredentials(server.url, admin.clientId, admin.clientSecret, 'gatehouse:admin');
  if (granted.status !== 200) throw new Error(`no admin token: ${JSON.stringify(granted.json)}`);
  const token = granted.json.access_token as string;
  return {
    server,
    admin,
    token,
    call: (method, path, body, as) => call(server.url, method, path, body, as === undefined ? token : as),
    close: () => server.close(),
  };
}

export const PROBLEM = 'application/problem+json; charset=utf-8';
