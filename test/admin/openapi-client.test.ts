/**
 * An OpenAPI-driven client (issue 16): it knows the admin API only from
 * GET /admin/v1/openapi.json, validated as OpenAPI 3.1 at test time; every
 * call is made by operationId, and every answer is checked against the
 * status codes, media type and JSON schema that operation declares (Ajv,
 * JSON Schema 2020-12 as OpenAPI 3.1 uses). With it: create an app, rotate its
 * secret, run a code flow with it, list its failures, revoke a user's tokens,
 * read the audit trail — and every route the server serves under /admin/v1 is
 * in the document, and every operation of the document is called.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { Browser, authorize, codeFlowTokens } from '../helpers/browserless-flow.js';
import { adminFixture, type AdminFixture } from './helpers.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

interface OperationDoc {
  method: string;
  path: string;
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
}

class OpenApiClient {
  readonly called = new Set<string>();
  private readonly operations = new Map<string, OperationDoc>();
  private readonly ajv = addFormats(new Ajv2020({ allErrors: true, strict: false }));
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(
    private readonly base: string,
    doc: { paths: Record<string, Record<string, { operationId: string; responses: OperationDoc['responses'] }>> },
    private readonly token: string,
  ) {
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(methods)) this.operations.set(operation.operationId, { method: method.toUpperCase(), path, responses: operation.responses });
    }
  }

  operationIds(): string[] {
    return [...this.operations.keys()];
  }

  /** Calls an operation; asserts its answer is one the document declares, and valid under its schema. */
  async call(operationId: string, input: { params?: Record<string, string>; query?: Record<string, string | number>; body?: unknown } = {}): Promise<{ status: number; body: any }> {
    const operation = this.operations.get(operationId);
    assert.ok(operation, `operation ${operationId} is in openapi.json`);
    const path = operation.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(input.params?.[name] ?? assert.fail(`missing path parameter ${name}`)));
    const query = input.query ? `?${new URLSearchParams(Object.entries(input.query).map(([k, v]) => [k, String(v)]))}` : '';
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    if (input.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.base}${path}${query}`, { method: operation.method, headers, ...(input.body === undefined ? {} : { body: JSON.stringify(input.body) }) });
    const text = await response.text();
    const declared = operation.responses[String(response.status)];
    assert.ok(declared, `${operationId} answered ${response.status}, which openapi.json does not declare for it: ${text}`);
    this.called.add(operationId);
    if (declared.content === undefined || Object.keys(declared.content).length === 0) {
      assert.equal(text, '', `${operationId} ${response.status} declares no body`);
      return { status: response.status, body: undefined };
    }
    const mediaType = (response.headers.get('content-type') ?? '').split(';', 1)[0]!;
    const content = declared.content[mediaType];
    assert.ok(content, `${operationId} ${response.status} answered ${mediaType}; declared ${Object.keys(declared.content).join(', ')}`);
    const key = `${operationId} ${response.status} ${mediaType}`;
    let validate = this.validators.get(key);
    if (!validate) this.validators.set(key, (validate = this.ajv.compile(content.schema)));
    const body = JSON.parse(text);
    assert.ok(validate(body), `${key}: ${JSON.stringify(validate.errors)} in ${text}`);
    return { status: response.status, body };
  }
}

/** Every method and path Fastify serves, from its route tree (printRoutes), as OpenAPI spells paths. */
function servedRoutes(tree: string): { method: string; path: string }[] {
  const routes: { method: string; path: string }[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^(.*?)── (.*) \(([A-Z, ]+)\)$/.exec(line);
    if (!match) continue;
    const depth = Math.floor(match[1]!.length / 4); // the prefix ends with the branch character
    const parent = depth === 0 ? '' : stack[depth - 1]!;
    const path = depth === 0 ? match[2]! : `${parent}${parent.endsWith('/') || match[2]!.startsWith('/') ? '' : '/'}${match[2]}`;
    stack[depth] = path;
    stack.length = depth + 1;
    for (const method of match[3]!.split(', ')) routes.push({ method, path: path.replace(/:(\w+)/g, '{$1}') });
  }
  return routes;
}

describe('admin API through an OpenAPI-driven client', () => {
  let f: AdminFixture;
  let doc: any;
  let client: OpenApiClient;
  before(async () => {
    f = await adminFixture();
    const response = await fetch(`${f.server.url}/admin/v1/openapi.json`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    doc = await response.json();
    client = new OpenApiClient(f.server.url, doc, f.token);
  });
  after(() => f.close());

  it('serves a valid OpenAPI 3.1 document without authentication', async () => {
    const result = await new Validator().validate(structuredClone(doc));
    assert.deepEqual(result.errors, undefined);
    assert.equal(result.valid, true);
    assert.equal(doc.openapi, '3.1.0');
    assert.equal(doc.components.securitySchemes.adminToken.flows.clientCredentials.tokenUrl, `${f.server.url}/oauth/2.0/token`);
  });

  it('documents every route the server serves under /admin/v1', () => {
    const served = servedRoutes(f.server.instance.app.printRoutes({ commonPrefix: false })).filter((route) => route.path.startsWith('/admin/v1') && route.method !== 'HEAD');
    assert.ok(served.length >= 17, JSON.stringify(served));
    for (const { method, path } of served) assert.ok(doc.paths[path]?.[method.toLowerCase()], `${method} ${path} is in openapi.json`);
    const documented = Object.entries(doc.paths as Record<string, object>).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
    assert.deepEqual(documented.sort(), served.map(({ method, path }) => `${method} ${path}`).sort());
  });

  it('onboards an app, rotates its secret, runs a code flow, lists its failures, revokes a user and reads the audit trail', async () => {
    const redirectUri = 'https://app.partner-one.com/callback';
    const person = { username: 'alice-openapi', password: 'correct horse battery' };
    const user = await client.call('createUser', { body: { ...person, email: 'alice@partner-one.com' } });
    assert.equal(user.status, 201);
    assert.deepEqual({ ...user.body, uid: '', created_at: '' }, { uid: '', username: person.username, email: 'alice@partner-one.com', name: null, email_verified: false, disabled: false, created_at: '' });
    assert.equal('password' in user.body, false);

    const created = await client.call('createApp', { body: { name: 'Partner One', root_domain: 'partner-one.com', redirect_uris: [redirectUri], scopes: ['basic', 'email'] } });
    assert.equal(created.status, 201);
    const clientId = created.body.client_id as string;
    const firstSecret = created.body.client_secret as string;
    assert.match(firstSecret, /^[A-Za-z0-9._~-]{43}$/);
    const read = await client.call('getApp', { params: { client_id: clientId } });
    assert.equal('client_secret' in read.body, false);

    const rotated = await client.call('rotateAppSecret', { params: { client_id: clientId } });
    assert.equal(rotated.body.client_id, clientId);
    const secret = rotated.body.client_secret as string;
    assert.notEqual(secret, firstSecret);

    const tokens = await codeFlowTokens(f.server.url, { clientId, clientSecret: secret, redirectUri, scope: 'basic email' }, person);
    assert.equal(tokens.token_type, 'Bearer');
    const me = await fetch(`${f.server.url}/rest/2.0/passport/users/getLoggedInUser`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(me.status, 200);

    // The old secret is dead: its failure is what the console (and the API) show.
    const stale = await fetch(`${f.server.url}/oauth/2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: firstSecret }),
    });
    assert.equal(stale.status, 401);
    const failures = await client.call('listAppFailures', { params: { client_id: clientId } });
    assert.equal(failures.body.next_cursor, null);
    assert.equal(failures.body.items[0].error, 'invalid_client');
    assert.equal(failures.body.items[0].error_description, 'client_secret is wrong');
    assert.equal(failures.body.items[0].endpoint, 'token');

    const revoked = await client.call('revokeTokens', { body: { uid: user.body.uid } });
    assert.equal(revoked.body.revoked, 2); // the access token and its refresh token
    const after = await fetch(`${f.server.url}/rest/2.0/passport/users/getLoggedInUser`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(after.status, 401);

    const trail = await client.call('listAuditEvents', { query: { limit: 10 } });
    const mine = trail.body.items.filter((event: any) => event.actor.type === 'app' && event.actor.id === f.admin.clientId);
    assert.deepEqual(
      mine.map((event: any) => [event.action, event.target]),
      [
        ['tokens.revoke', { type: 'user', id: user.body.uid }],
        ['app.rotate_secret', { type: 'app', id: clientId }],
        ['app.create', { type: 'app', id: clientId }],
        ['user.create', { type: 'user', id: user.body.uid }],
      ],
    );
    for (const event of mine) {
      assert.equal(event.address, '127.0.0.1');
      assert.match(event.request_id, /^[A-Za-z0-9_-]{22}$/);
      assert.ok(Math.abs(Date.parse(event.at) - Date.now()) < 60_000);
    }
    assert.ok(!JSON.stringify(trail.body).includes(secret) && !JSON.stringify(trail.body).includes(firstSecret) && !JSON.stringify(trail.body).includes(person.password));
  });

  it('changes, disables and pages through apps and users, and every operation of the document answers as it says', async () => {
    const a = await client.call('createApp', { body: { name: 'Partner Two', root_domain: 'partner-two.com', grant_types: ['client_credentials'], response_types: [] } });
    const clientId = a.body.client_id as string;
    const patched = await client.call('updateApp', { params: { client_id: clientId }, body: { name: 'Partner Two (renamed)', resource_server: true } });
    assert.equal(patched.body.name, 'Partner Two (renamed)');
    assert.equal(patched.body.resource_server, true);
    assert.equal((await client.call('disableApp', { params: { client_id: clientId } })).body.disabled, true);
    assert.equal((await client.call('enableApp', { params: { client_id: clientId } })).body.disabled, false);

    const pageOne = await client.call('listApps', { query: { limit: 1 } });
    assert.equal(pageOne.body.items.length, 1);
    const seen = new Set<string>(pageOne.body.items.map((app: any) => app.client_id));
    let cursor = pageOne.body.next_cursor as string | null;
    while (cursor !== null) {
      const next = await client.call('listApps', { query: { limit: 1, cursor } });
      for (const app of next.body.items) {
        assert.ok(!seen.has(app.client_id), 'no app twice');
        seen.add(app.client_id);
      }
      cursor = next.body.next_cursor;
    }
    assert.ok(seen.has(clientId) && seen.has(f.admin.clientId));

    assert.equal((await client.call('deleteApp', { params: { client_id: clientId } })).status, 204);
    assert.equal((await client.call('getApp', { params: { client_id: clientId } })).status, 404);

    const bob = await client.call('createUser', { body: { username: 'bob-openapi', password: 'correct horse battery' } });
    const uid = bob.body.uid as string;
    assert.equal((await client.call('getUser', { params: { uid } })).body.username, 'bob-openapi');
    const renamed = await client.call('updateUser', { params: { uid }, body: { username: 'robert-openapi', email: 'robert@example.com', password: 'another horse battery' } });
    assert.deepEqual([renamed.body.username, renamed.body.email], ['robert-openapi', 'robert@example.com']);
    const users = await client.call('listUsers', { query: { limit: 200 } });
    assert.ok(users.body.items.some((u: any) => u.uid === uid));
    const disabled = await client.call('disableUser', { params: { uid } });
    assert.equal(disabled.body.disabled, true);
    // A disabled user cannot sign in: the sign-in form comes back instead of the consent page.
    const app = await f.server.createApp({ redirectUris: ['https://app.example.com/cb'] });
    const page = await authorize(new Browser(f.server.url), { response_type: 'code', client_id: app.clientId, redirect_uri: 'https://app.example.com/cb' }, { username: 'robert-openapi', password: 'another horse battery' });
    assert.notEqual(page.status, 302);
    assert.match(page.body, /name="password"/);

    assert.equal((await client.call('createScope', { body: { name: 'partner:orders', description: 'Your orders' } })).status, 201);
    assert.ok((await client.call('listScopes')).body.items.some((scope: any) => scope.name === 'partner:orders'));
    assert.equal((await client.call('createScope', { body: { name: 'partner:orders' } })).status, 409);

    // Keys (SPEC §7, §10): list, page, rotate; the new key is published at once and its rotation audited.
    const keys = await client.call('listKeys');
    assert.deepEqual(keys.body.items.map((key: any) => [key.alg, key.state]), [['RS256', 'current'], ['PS256', 'current'], ['ES256', 'current'], ['EdDSA', 'current']]);
    const oldEs256 = keys.body.items.find((key: any) => key.alg === 'ES256').kid as string;
    const rotated = await client.call('rotateKeys', { body: { alg: 'ES256', activate_now: true } });
    assert.equal(rotated.status, 201);
    const newEs256 = rotated.body.keys[0].kid as string;
    assert.deepEqual(rotated.body.keys.map((key: any) => [key.alg, key.state, key.created_at === key.activates_at]), [['ES256', 'current', true]]);
    const paged: string[] = [];
    let keyCursor: string | null = null;
    do {
      const next = await client.call('listKeys', { query: { limit: 2, ...(keyCursor === null ? {} : { cursor: keyCursor }) } });
      paged.push(...next.body.items.filter((key: any) => key.alg === 'ES256').map((key: any) => `${key.kid}:${key.state}`));
      keyCursor = next.body.next_cursor;
    } while (keyCursor !== null);
    assert.deepEqual(paged, [`${oldEs256}:previous`, `${newEs256}:current`]);
    const jwks = (await (await fetch(`${f.server.url}/oauth/2.0/jwks`)).json()) as { keys: Array<{ kid: string }> };
    assert.ok(jwks.keys.some((key) => key.kid === newEs256), 'the new key is in the JWKS');
    const [rotation] = (await client.call('listAuditEvents', { query: { limit: 1 } })).body.items;
    assert.deepEqual([rotation.action, rotation.actor, rotation.target], ['key.rotate', { type: 'app', id: f.admin.clientId }, { type: 'key', id: newEs256 }]);

    const openapi = await client.call('getOpenApi');
    assert.equal(openapi.body.openapi, '3.1.0');

    assert.deepEqual(client.operationIds().filter((id) => !client.called.has(id)), []);
  });
});
