/** Calls of the registration endpoint (RFC 7591/7592) for the tests of SPEC §9. */
import assert from 'node:assert/strict';

export interface JsonAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

export async function call(url: string, init: { method?: string; token?: string; json?: unknown; body?: string; contentType?: string; headers?: Record<string, string> } = {}): Promise<JsonAnswer> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token !== undefined) headers['authorization'] = `Bearer ${init.token}`;
  let body: string | undefined = init.body;
  if (init.json !== undefined) body = JSON.stringify(init.json);
  if (body !== undefined) headers['content-type'] = init.contentType ?? 'application/json';
  const response = await fetch(url, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

export const register = (base: string, metadata: unknown, token?: string) => call(`${base}/oauth/2.0/register`, { json: metadata, ...(token === undefined ? {} : { token }) });

/** A public app of a native or CLI client: loopback redirect, PKCE (what MCP clients register). */
export const PUBLIC_CLIENT = {
  client_name: 'CLI tool',
  redirect_uris: ['http://127.0.0.1:33418/callback'],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'none',
};

export function assertError(answer: JsonAnswer, status: number, code: string, description?: RegExp): void {
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  assert.equal(answer.body['error'], code);
  assert.equal(typeof answer.body['error_uri'], 'string');
  if (description) assert.match(String(answer.body['error_description']), description);
}

export function assertInvalidToken(answer: JsonAnswer, description?: RegExp): void {
  assertError(answer, 401, 'invalid_token', description);
  assert.equal(answer.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
}
