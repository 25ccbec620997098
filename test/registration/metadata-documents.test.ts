/** Client ID Metadata Documents (SPEC §9, GATEHOUSE_CLIENT_METADATA_DOCUMENTS=1): the fetch rules, the document's rules, the pages. */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { cacheSeconds, MetadataDocumentError, MetadataDocumentResolver } from '../../src/storage/outbound/metadata-documents.js';
import { Browser, redirectParams } from '../helpers/browserless-flow.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { call } from './helpers.js';

/** Serves documents by path; `/count` says how many times each was fetched. */
function documentServer(): { server: Server; base: () => string; fetched: Map<string, number>; docs: Map<string, { body: string; headers?: Record<string, string>; status?: number }> } {
  const fetched = new Map<string, number>();
  const docs = new Map<string, { body: string; headers?: Record<string, string>; status?: number }>();
  const server = createServer((request, response) => {
    const path = request.url ?? '/';
    fetched.set(path, (fetched.get(path) ?? 0) + 1);
    if (path === '/trickle') {
      // A byte every 100 ms, forever.
      response.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => response.write(' '), 100);
      response.on('close', () => clearInterval(timer));
      return;
    }
    if (path === '/to-metadata-service') return void response.writeHead(302, { location: 'https://169.254.169.254/latest/meta-data' }).end();
    if (path === '/to-private') return void response.writeHead(302, { location: 'https://192.168.1.1/client' }).end();
    const doc = docs.get(path);
    if (doc === undefined) return void response.writeHead(404).end();
    response.writeHead(doc.status ?? 200, { 'content-type': 'application/json', ...doc.headers }).end(doc.body);
  });
  return { server, base: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`, fetched, docs };
}

describe('client metadata documents: fetch and document rules', () => {
  const host = documentServer();
  before(() => new Promise<void>((resolve) => host.server.listen(0, '127.0.0.1', resolve)));
  after(() => new Promise<void>((resolve) => host.server.close(() => resolve())));
  const known = async () => new Set(['basic', 'openid']);
  const lab = (timeoutMs = 5000) => new MetadataDocumentResolver({ outbound: { allowPrivate: true }, redirects: { allowHttp: false }, knownScopes: known, timeoutMs });
  const doc = (path: string, body: Record<string, unknown>, headers?: Record<string, string>) => {
    host.docs.set(path, { body: JSON.stringify({ client_id: `${host.base()}${path}`, redirect_uris: ['http://127.0.0.1:9999/cb'], ...body }), ...(headers ? { headers } : {}) });
    return `${host.base()}${path}`;
  };
  const refused = async (resolver: MetadataDocumentResolver, url: string, why: RegExp) =>
    assert.rejects(resolver.resolve(url), (error: unknown) => error instanceof MetadataDocumentError && why.test(error.message));

  test('a good document becomes a public app with its exact redirect URIs, marked as a metadata-document app', async () => {
    const url = doc('/good', { client_name: 'Doc app', redirect_uris: ['https://tool.example.org/cb'] });
    const app = await lab().resolve(url);
    assert.equal(app.clientId, url);
    assert.equal(app.registration, 'metadata-document');
    assert.equal(app.isPublic, true);
    assert.equal(app.rootDomain, 'example.org');
    assert.deepEqual(app.redirectUris, ['https://tool.example.org/cb']);
  });

  test('a document whose client_id differs from its URL is refused', async () => {
    host.docs.set('/liar', { body: JSON.stringify({ client_id: 'https://other.example.org/client', redirect_uris: ['http://127.0.0.1/cb'] }) });
    await refused(lab(), `${host.base()}/liar`, /client_id "https:\/\/other\.example\.org\/client" is not its URL/);
  });

  test('the document\'s own rules: auth method, no secret, redirect URIs, JSON, size, status', async () => {
    await refused(lab(), doc('/basic', { token_endpoint_auth_method: 'client_secret_basic' }), /must be none or private_key_jwt/);
    await refused(lab(), doc('/secret', { client_secret: 'x' }), /must not carry a client_secret/);
    await refused(lab(), doc('/no-uris', { redirect_uris: [] }), /lists no redirect_uris/);
    await refused(lab(), doc('/js', { redirect_uris: ['javascript:alert(1)'] }), /invalid: redirect_uris: the scheme javascript is not allowed/);
    host.docs.set('/not-json', { body: '<html>' });
    await refused(lab(), `${host.base()}/not-json`, /is not JSON/);
    host.docs.set('/huge', { body: JSON.stringify({ pad: 'x'.repeat(70_000) }) });
    await refused(lab(), `${host.base()}/huge`, /larger than 64 KiB/);
    await refused(lab(), `${host.base()}/missing`, /answered HTTP 404/);
  });

  test('a server that trickles bytes forever is cut off at the deadline', async () => {
    await refused(lab(300), `${host.base()}/trickle`, /failed: timed out after 300 ms/);
  });

  const strict = new MetadataDocumentResolver({ outbound: { allowPrivate: false }, redirects: { allowHttp: false }, knownScopes: known });
  for (const url of ['https://127.0.0.1/client', 'https://10.0.0.1/client', 'https://172.16.0.1/client', 'https://192.168.1.1/client', 'https://169.254.169.254/latest/meta-data', 'https://[::1]/client', 'https://localhost:1/client']) {
    test(`a document URL of ${url} is never fetched`, async () => {
      await refused(strict, url, /may not be fetched: .*(not allowed|not fetched)/);
    });
  }

  test('a redirect to a forbidden address is refused on that hop', async () => {
    const onlyThisServer = new MetadataDocumentResolver({ outbound: { allowPrivate: false, allowAddresses: ['127.0.0.1'] }, redirects: { allowHttp: false }, knownScopes: known });
    await refused(onlyThisServer, `${host.base()}/to-metadata-service`, /may not be fetched: the address is not fetched/);
    await refused(onlyThisServer, `${host.base()}/to-private`, /may not be fetched: the address is not fetched/);
  });

  test('cached as Cache-Control says, for at most a day; no-store not at all', async () => {
    let now = 1_000_000;
    const clocked = new MetadataDocumentResolver({ outbound: { allowPrivate: true }, redirects: { allowHttp: false }, knownScopes: known, now: () => now });
    const cached = doc('/cached', {}, { 'cache-control': 'public, max-age=600' });
    await clocked.resolve(cached);
    await clocked.resolve(cached);
    assert.equal(host.fetched.get('/cached'), 1);
    now += 601_000;
    await clocked.resolve(cached);
    assert.equal(host.fetched.get('/cached'), 2);
    const uncached = doc('/uncached', {}, { 'cache-control': 'no-store' });
    await clocked.resolve(uncached);
    await clocked.resolve(uncached);
    assert.equal(host.fetched.get('/uncached'), 2);
    assert.equal(cacheSeconds('max-age=31536000'), 86_400);
    assert.equal(cacheSeconds('s-maxage=60, max-age=30'), 60);
    assert.equal(cacheSeconds('no-cache, max-age=60'), 0);
    assert.equal(cacheSeconds(undefined), 0);
  });
});

describe('client metadata documents at the authorize endpoint', () => {
  const host = documentServer();
  let server: TestServer;
  before(async () => {
    await new Promise<void>((resolve) => host.server.listen(0, '127.0.0.1', resolve));
    server = await startServer({ env: { GATEHOUSE_CLIENT_METADATA_DOCUMENTS: '1', GATEHOUSE_ALLOW_PRIVATE_FETCH: '1' } });
  });
  after(async () => {
    await server.close();
    await new Promise<void>((resolve) => host.server.close(() => resolve()));
  });

  test('the metadata says client_id_metadata_document_supported: true', async () => {
    assert.equal((await call(`${server.url}/.well-known/oauth-authorization-server`)).body['client_id_metadata_document_supported'], true);
  });

  test('sign in with a document app: consent marks it, then code + PKCE → tokens for the URL client_id', async () => {
    const clientId = `${host.base()}/mcp-client.json`;
    host.docs.set('/mcp-client.json', { body: JSON.stringify({ client_id: clientId, client_name: '<b>Doc</b> tool', redirect_uris: ['http://127.0.0.1:4567/callback'], grant_types: ['authorization_code', 'refresh_token'] }), headers: { 'cache-control': 'max-age=300' } });
    const person = await server.createUser();
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const browser = new Browser(server.url);
    const params = { response_type: 'code', client_id: clientId, redirect_uri: 'http://127.0.0.1:4567/callback', code_challenge: challenge, code_challenge_method: 'S256' };
    const signIn = await browser.request(`/oauth/2.0/authorize?${new URLSearchParams(params)}`);
    const consent = await browser.submit(signIn, { username: person.username, password: person.password });
    assert.match(consent.body, /data-self-registered="true"/);
    assert.match(consent.body, /data-redirect-host="127.0.0.1:4567"/);
    assert.equal(consent.body.includes('<b>Doc</b>'), false);
    const final = await browser.submit(consent, { decision: 'approve' });
    const code = redirectParams(final.location!).get('code')!;
    const token = await fetch(`${server.url}/oauth/2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: 'http://127.0.0.1:4567/callback', client_id: clientId, code_verifier: verifier }),
    });
    assert.equal(token.status, 200, await token.clone().text());
    assert.ok(((await token.json()) as { refresh_token?: string }).refresh_token);
    // The app is never stored.
    assert.equal((await server.instance.services.stores.audit.listEvents({ limit: 50 })).some((event) => event.target.id === clientId), false);
  });

  test('a redirect_uri off the document\'s list: the redirect_uri_mismatch page', async () => {
    const clientId = `${host.base()}/strict.json`;
    host.docs.set('/strict.json', { body: JSON.stringify({ client_id: clientId, redirect_uris: ['http://127.0.0.1:4567/callback'] }) });
    const page = await new Browser(server.url).request(`/oauth/2.0/authorize?${new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: 'http://127.0.0.1:4567/other', code_challenge: 'a'.repeat(43), code_challenge_method: 'S256' })}`);
    assert.equal(page.status, 400);
    assert.match(page.body, /data-error-code="redirect_uri_mismatch"/);
  });

  test('a document that breaks the rules: the invalid_client page says why', async () => {
    const clientId = `${host.base()}/liar.json`;
    host.docs.set('/liar.json', { body: JSON.stringify({ client_id: 'https://elsewhere.example.org/c', redirect_uris: ['http://127.0.0.1:4567/callback'] }) });
    const page = await new Browser(server.url).request(`/oauth/2.0/authorize?${new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: 'http://127.0.0.1:4567/callback' })}`);
    assert.equal(page.status, 400);
    assert.match(page.body, /data-error-code="invalid_client"/);
    assert.match(page.body, /is not its URL/);
    const trickle = await new Browser(server.url).request(`/oauth/2.0/authorize?${new URLSearchParams({ response_type: 'code', client_id: `${host.base()}/missing.json`, redirect_uri: 'http://127.0.0.1:4567/callback' })}`);
    assert.match(trickle.body, /data-error-code="invalid_client"/);
    assert.match(trickle.body, /answered HTTP 404/);
  });
});
