/**
 * An MCP host in a terminal (docs/mcp.md): the official SDK's auth() finds
 * Gatehouse from the MCP server's protected resource metadata, registers
 * itself (RFC 7591), and prints the sign-in URL; once you signed in and
 * allowed it in your browser, it exchanges the code (PKCE, `resource` = the
 * MCP server) and calls the server's `whoami` tool with the token.
 *
 *   npx tsx examples/mcp/client.ts http://127.0.0.1:3000/mcp
 */
import { createServer } from 'node:http';
import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { MemoryProvider } from './provider.js';

const serverUrl = process.argv[2] ?? 'http://127.0.0.1:3000/mcp';
const CALLBACK_PORT = 33418;
const provider = new MemoryProvider(`http://127.0.0.1:${CALLBACK_PORT}/callback`);

/** The browser comes back to this loopback address with ?code= (RFC 8252 §7.3). */
function waitForCode(): Promise<string> {
  return new Promise((resolve, reject) => {
    const server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', `http://127.0.0.1:${CALLBACK_PORT}`);
      const code = url.searchParams.get('code');
      response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(code ? 'Signed in: you can close this tab.' : `Not signed in: ${url.searchParams.get('error') ?? 'no code'}`);
      server.close();
      if (code) resolve(code);
      else reject(new Error(url.searchParams.get('error_description') ?? 'no code'));
    });
    server.listen(CALLBACK_PORT, '127.0.0.1');
  });
}

if ((await auth(provider, { serverUrl })) === 'REDIRECT') {
  console.log(`Registered as ${provider.information?.client_id}. Open this URL, sign in and allow:\n\n  ${provider.authorizationUrl}\n`);
  const code = await waitForCode();
  await auth(provider, { serverUrl, authorizationCode: code });
}
const client = new Client({ name: 'gatehouse-mcp-example', version: '1.0.0' });
await client.connect(new StreamableHTTPClientTransport(new URL(serverUrl), { authProvider: provider }));
const result = await client.callTool({ name: 'whoami', arguments: {} });
console.log('whoami →', JSON.stringify(result.content));
await client.close();
