/**
 * Protecting an API with Gatehouse: a tiny gateway for nginx `auth_request`
 * (or any proxy that asks a sub-request "may this pass?"). It reads the
 * Bearer token, asks Gatehouse's RFC 7662 introspection endpoint with a
 * resource-server app's credentials, and answers:
 *   200 — the token is a live access token with the scope the API needs;
 *         X-Gatehouse-Sub / -Client-Id / -Scope / -Username tell the API who calls;
 *   401 — no token, or not a live access token (RFC 6750 §3.1 challenge);
 *   403 — a live token without the required scope (insufficient_scope);
 *   503 — Gatehouse could not be asked (its answer was not 200): never "allowed".
 * Tested in test/resource/gateway.test.ts; README: "Protecting an API with Gatehouse".
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface GatewayOptions {
  /** Gatehouse's issuer, e.g. https://auth.example.com */
  issuer: string;
  /** An app created with `gatehouse clients create --resource-server`. */
  clientId: string;
  clientSecret: string;
  /** The scope every call must carry (default basic). */
  requiredScope?: string;
}

interface Introspection {
  active: boolean;
  token_type?: string;
  scope?: string;
  sub?: string;
  client_id?: string;
  username?: string;
}

function deny(res: ServerResponse, status: 401 | 403 | 503, challenge?: string): void {
  if (challenge) res.setHeader('www-authenticate', challenge);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify({ allowed: false }));
}

export function createGateway(options: GatewayOptions): Server {
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`).toString('base64')}`;
  const requiredScope = options.requiredScope ?? 'basic';

  return createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!match) return deny(res, 401, 'Bearer realm="api"');
    let answer: Introspection;
    try {
      const response = await fetch(`${options.issuer}/oauth/2.0/introspect`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: match[1]!, token_type_hint: 'access_token' }),
      });
      if (response.status !== 200) return deny(res, 503);
      answer = (await response.json()) as Introspection;
    } catch {
      return deny(res, 503);
    }
    // token_type "Bearer" tells an access token from a refresh token (which carries none).
    if (answer.active !== true || answer.token_type !== 'Bearer') return deny(res, 401, 'Bearer realm="api", error="invalid_token"');
    if (!(answer.scope ?? '').split(' ').includes(requiredScope)) {
      return deny(res, 403, `Bearer realm="api", error="insufficient_scope", scope="${requiredScope}"`);
    }
    const who: Record<string, string> = { 'x-gatehouse-client-id': answer.client_id ?? '', 'x-gatehouse-scope': answer.scope ?? '' };
    if (answer.sub !== undefined) who['x-gatehouse-sub'] = answer.sub;
    if (answer.username !== undefined) who['x-gatehouse-username'] = encodeURIComponent(answer.username);
    res.writeHead(200, { ...who, 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify({ allowed: true, sub: answer.sub ?? null, client_id: answer.client_id, scope: answer.scope }));
  });
}

// Run directly: GATEHOUSE_ISSUER=… GATEWAY_CLIENT_ID=… GATEWAY_CLIENT_SECRET=… npx tsx examples/introspection-gateway.ts
if (import.meta.url === `file://${process.argv[1]}`) {
  const env = process.env;
  createGateway({
    issuer: env['GATEHOUSE_ISSUER'] ?? 'http://127.0.0.1:8080',
    clientId: env['GATEWAY_CLIENT_ID'] ?? '',
    clientSecret: env['GATEWAY_CLIENT_SECRET'] ?? '',
    requiredScope: env['GATEWAY_SCOPE'] ?? 'basic',
  }).listen(Number(env['GATEWAY_PORT'] ?? 9000), '127.0.0.1');
}
