/**
 * A small MCP server behind Gatehouse (docs/mcp.md): one tool, `whoami`, over
 * the official SDK's Streamable HTTP transport. Every request needs a Gatehouse
 * access token whose audience is this server (RFC 8707 `resource`, RFC 9068
 * §4 / MCP authorization "token audience binding"): the server asks Gatehouse's
 * introspection endpoint (RFC 7662) with a resource-server app's credentials
 * and refuses a token that is not live or was issued for another resource.
 * It publishes its RFC 9728 protected resource metadata, which is how an MCP
 * client finds Gatehouse.
 *
 *   GATEHOUSE_ISSUER=http://127.0.0.1:8080 MCP_CLIENT_ID=… MCP_CLIENT_SECRET=… npx tsx examples/mcp/server.ts
 *
 * Tested in test/e2e/mcp-sdk.test.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';

export interface McpResourceOptions {
  /** Gatehouse's issuer. */
  issuer: string;
  /** An app made with `gatehouse clients create --resource-server` (it may introspect any token). */
  clientId: string;
  clientSecret: string;
  port?: number;
  host?: string;
}

export interface McpResource {
  /** This server's MCP endpoint, the `resource` its tokens must be issued for. */
  url: string;
  server: Server;
  close(): Promise<void>;
}

interface Introspection {
  active: boolean;
  client_id?: string;
  scope?: string;
  exp?: number;
  aud?: string | string[];
  sub?: string;
}

/** The token behind `Authorization: Bearer`, if it is live and meant for `resource`; else why not. */
async function verify(options: McpResourceOptions, resource: string, authorization: string | undefined): Promise<AuthInfo | string> {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (token === undefined) return 'no access token';
  const response = await fetch(`${options.issuer}/oauth/2.0/introspect`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ token }),
  });
  if (response.status !== 200) return `introspection answered ${response.status}`;
  const answer = (await response.json()) as Introspection;
  if (!answer.active) return 'the access token is not active';
  // RFC 8707 §2 / MCP: a token issued for another resource (or for none) is not for us.
  const audiences = answer.aud === undefined ? [] : ([] as string[]).concat(answer.aud);
  if (!audiences.includes(resource)) return `the access token is for ${audiences.join(', ') || 'no resource'}, not ${resource}`;
  return {
    token,
    clientId: answer.client_id ?? '',
    scopes: (answer.scope ?? '').split(' ').filter((scope) => scope !== ''),
    ...(answer.exp === undefined ? {} : { expiresAt: answer.exp }),
    resource: new URL(resource),
    extra: { sub: answer.sub },
  };
}

function mcpServer(): McpServer {
  const server = new McpServer({ name: 'gatehouse-example', version: '1.0.0' });
  server.registerTool('whoami', { description: 'Who the access token was issued to' }, async (extra) => ({
    content: [{ type: 'text', text: JSON.stringify({ sub: extra.authInfo?.extra?.['sub'], client_id: extra.authInfo?.clientId, scopes: extra.authInfo?.scopes }) }],
  }));
  return server;
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > 1024 * 1024) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return chunks.length === 0 ? undefined : JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

export async function startMcpResource(options: McpResourceOptions): Promise<McpResource> {
  let resource = '';
  let metadataUrl = '';
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    if (path === '/.well-known/oauth-protected-resource/mcp') {
      // RFC 9728 §3: where an MCP client learns which authorization server to ask.
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({ resource, authorization_servers: [options.issuer], scopes_supported: ['basic'], bearer_methods_supported: ['header'] }),
      );
      return;
    }
    if (path !== '/mcp') {
      response.writeHead(404).end();
      return;
    }
    const auth = await verify(options, resource, request.headers.authorization);
    if (typeof auth === 'string') {
      // RFC 6750 §3 and RFC 9728 §5.1: the challenge names the resource metadata.
      response
        .writeHead(401, { 'www-authenticate': `Bearer error="invalid_token", error_description="${auth}", resource_metadata="${metadataUrl}"`, 'content-type': 'application/json' })
        .end(JSON.stringify({ error: 'invalid_token', error_description: auth }));
      return;
    }
    (request as IncomingMessage & { auth?: AuthInfo }).auth = auth;
    // Stateless Streamable HTTP: a server and a transport per request.
    const server = mcpServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    response.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(request, response, request.method === 'POST' ? await readJson(request) : undefined);
  };
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: 'server_error', error_description: (error as Error).message }));
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const origin = `http://${host}:${(server.address() as AddressInfo).port}`;
  resource = `${origin}/mcp`;
  metadataUrl = `${origin}/.well-known/oauth-protected-resource/mcp`;
  return { url: resource, server, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const env = process.env;
  if (!env['MCP_CLIENT_ID'] || !env['MCP_CLIENT_SECRET']) throw new Error('set MCP_CLIENT_ID and MCP_CLIENT_SECRET (gatehouse clients create --resource-server --json)');
  const started = await startMcpResource({
    issuer: env['GATEHOUSE_ISSUER'] ?? 'http://127.0.0.1:8080',
    clientId: env['MCP_CLIENT_ID'],
    clientSecret: env['MCP_CLIENT_SECRET'],
    port: Number(env['MCP_PORT'] ?? 3000),
  });
  console.log(`MCP server at ${started.url}`);
}
