/**
 * A real MCP client against Gatehouse (issue 15): the official
 * @modelcontextprotocol/sdk client's auth() — RFC 9728 discovery from the MCP
 * server, RFC 8414 metadata, RFC 7591 registration, PKCE S256, RFC 8707
 * `resource`, the code exchange and a refresh — then a tool call to a small
 * MCP server of the same SDK (examples/mcp/server.ts) that checks each token
 * by introspection and its `aud`. The person's sign-in and consent are driven
 * by the form client (test/helpers/browserless-flow.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { MemoryProvider } from '../../examples/mcp/provider.js';
import { startMcpResource, type McpResource } from '../../examples/mcp/server.js';
import { Browser, redirectParams } from '../helpers/browserless-flow.js';
import { startServer, type TestServer } from '../helpers/server.js';

describe('the MCP SDK client against Gatehouse and an SDK MCP server', () => {
  let gatehouse: TestServer;
  let mcp: McpResource;
  let person: { uid: string; username: string; password: string };
  const provider = new MemoryProvider('http://127.0.0.1:33418/callback', 'MCP test host');

  before(async () => {
    gatehouse = await startServer({ env: { GATEHOUSE_REGISTRATION: 'open' } });
    person = await gatehouse.createUser();
    const resourceServer = await gatehouse.createApp({ name: 'MCP server', isResourceServer: true, grantTypes: ['client_credentials'], responseTypes: [] });
    mcp = await startMcpResource({ issuer: gatehouse.url, clientId: resourceServer.clientId, clientSecret: resourceServer.clientSecret! });
  });
  after(async () => {
    await mcp.close();
    await gatehouse.close();
  });

  const introspect = async (token: string) => {
    const made = await gatehouse.createApp({ name: 'inspector', isResourceServer: true, grantTypes: ['client_credentials'], responseTypes: [] });
    const response = await fetch(`${gatehouse.url}/oauth/2.0/introspect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, client_id: made.clientId, client_secret: made.clientSecret! }),
    });
    return (await response.json()) as { active: boolean; aud?: string | string[]; sub?: string; client_id?: string };
  };

  test('auth(): discovery, registration, PKCE S256 and resource; the person signs in and consents; code → tokens bound to the MCP server', async () => {
    assert.equal(await auth(provider, { serverUrl: mcp.url }), 'REDIRECT');
    assert.ok(provider.information?.client_id, 'the SDK registered itself');
    const registered = await gatehouse.instance.services.stores.apps.findApp(provider.information.client_id);
    assert.equal(registered?.registration, 'dynamic');
    assert.equal(registered?.isPublic, true);

    const url = provider.authorizationUrl!;
    assert.equal(url.origin + url.pathname, `${gatehouse.url}/oauth/2.0/authorize`);
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(url.searchParams.get('resource'), mcp.url);

    const browser = new Browser(gatehouse.url);
    let page = await browser.request(url.pathname + url.search);
    for (let step = 0; step < 4 && page.status !== 302; step++) {
      if (page.body.includes('name="password"')) page = await browser.submit(page, { username: person.username, password: person.password });
      else if (page.body.includes('name="decision"')) {
        assert.match(page.body, /data-self-registered="true"/);
        assert.match(page.body, /data-redirect-host="127.0.0.1:33418"/);
        page = await browser.submit(page, { decision: 'approve' });
      } else break;
    }
    assert.equal(page.status, 302, page.body.slice(0, 300));
    const code = redirectParams(page.location!).get('code');
    assert.ok(code);

    assert.equal(await auth(provider, { serverUrl: mcp.url, authorizationCode: code }), 'AUTHORIZED');
    const tokens = provider.saved!;
    assert.ok(tokens.refresh_token);
    const seen = await introspect(tokens.access_token);
    assert.equal(seen.active, true);
    assert.deepEqual(([] as string[]).concat(seen.aud ?? []), [mcp.url]);
    assert.equal(seen.sub, person.uid);
  });

  test('the SDK client calls a tool with that token; the server saw who it is', async () => {
    const client = new Client({ name: 'gatehouse-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(mcp.url), { authProvider: provider }));
    try {
      const result = (await client.callTool({ name: 'whoami', arguments: {} })) as { content: { type: string; text: string }[] };
      const said = JSON.parse(result.content[0]!.text) as { sub: string; client_id: string };
      assert.equal(said.sub, person.uid);
      assert.equal(said.client_id, provider.information!.client_id);
    } finally {
      await client.close();
    }
  });

  test('auth() refreshes: a new access token, still bound to the MCP server; the old refresh token is spent', async () => {
    const before = provider.saved!;
    assert.equal(await auth(provider, { serverUrl: mcp.url }), 'AUTHORIZED');
    const after = provider.saved!;
    assert.notEqual(after.access_token, before.access_token);
    assert.notEqual(after.refresh_token, before.refresh_token);
    assert.deepEqual(([] as string[]).concat((await introspect(after.access_token)).aud ?? []), [mcp.url]);
    const reuse = await fetch(`${gatehouse.url}/oauth/2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: before.refresh_token!, client_id: provider.information!.client_id }),
    });
    assert.equal(((await reuse.json()) as { error: string }).error, 'expired_token');
  });

  test('the MCP server refuses a token issued for another audience, and none at all, with its resource metadata', async () => {
    const other = await gatehouse.createApp({ grantTypes: ['client_credentials'], responseTypes: [] });
    const issued = (await (
      await fetch(`${gatehouse.url}/oauth/2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: other.clientId, client_secret: other.clientSecret! }),
      })
    ).json()) as { access_token: string };
    for (const authorization of [`Bearer ${issued.access_token}`, undefined]) {
      const answer = await fetch(mcp.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
      assert.equal(answer.status, 401);
      assert.match(answer.headers.get('www-authenticate') ?? '', /resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp"/);
    }
  });
});
