import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { startServer, type TestServer } from '../helpers/server.js';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '../../src/cli.ts');

/** SPEC §5: the gatehouse command, run as a user runs it. */
describe('gatehouse command line', () => {
  let dir: string;
  let database: string;

  async function gatehouse(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
    try {
      const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', CLI, ...args], { env: { ...process.env, GATEHOUSE_DATABASE_URL: database } });
      return { stdout, stderr, code: 0 };
    } catch (error) {
      const failed = error as { stdout: string; stderr: string; code: number };
      return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
    }
  }

  /** A `--json` command that must succeed: its exit code and stderr are part of the assertion, so a failure says why. */
  async function gatehouseJson(...args: string[]): Promise<unknown> {
    const result = await gatehouse(...args);
    assert.equal(result.code, 0, `gatehouse ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
    return JSON.parse(result.stdout);
  }

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
    database = `sqlite:${join(dir, 'nested', 'gatehouse.db')}`;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('migrate creates the database with every migration applied', async () => {
    const result = await gatehouse('migrate');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /migrations applied/);
  });

  let created: Record<string, unknown>;
  test('clients create --json prints client_id and a client_secret of unreserved characters, with the defaults', async () => {
    const result = await gatehouse('clients', 'create', '--name', 'Demo', '--root-domain', 'example.com', '--redirect-uri', 'https://app.example.com/cb', '--json');
    assert.equal(result.code, 0, result.stderr);
    created = JSON.parse(result.stdout);
    assert.match(created['client_id'] as string, /^[A-Za-z0-9._~-]{16,}$/);
    assert.match(created['client_secret'] as string, /^[A-Za-z0-9._~-]{43}$/);
    assert.deepEqual(created['grant_types'], ['authorization_code', 'refresh_token', 'client_credentials', 'device_code']);
    assert.deepEqual(created['response_types'], ['code', 'token', 'id_token', 'id_token token']);
    assert.deepEqual(created['scopes'], ['basic']);
    assert.deepEqual(created['redirect_uris'], ['https://app.example.com/cb']);
  });

  test('clients create --public has no client_secret; lists are comma-separated', async () => {
    const result = await gatehouse('clients', 'create', '--name', 'Native', '--root-domain', 'example.org', '--public', '--grant-types', 'authorization_code,device_code', '--response-types', 'code', '--scopes', 'basic,email', '--json');
    assert.equal(result.code, 0, result.stderr);
    const app = JSON.parse(result.stdout);
    assert.equal(app.client_secret, undefined);
    assert.equal(app.public, true);
    assert.deepEqual(app.grant_types, ['authorization_code', 'device_code']);
    assert.deepEqual(app.scopes, ['basic', 'email']);
  });

  test('clients create refuses a root domain that is a public suffix, with a message and exit code 1', async () => {
    const result = await gatehouse('clients', 'create', '--name', 'Bad', '--root-domain', 'co.uk', '--json');
    assert.equal(result.code, 1);
    assert.match(result.stderr, /not a registrable domain/);
  });

  test('clients list and show --json find the app; the secret is never shown again', async () => {
    const list = (await gatehouseJson('clients', 'list', '--json')) as Array<Record<string, unknown>>;
    assert.ok(list.some((app) => app['client_id'] === created['client_id']));
    const show = await gatehouse('clients', 'show', created['client_id'] as string, '--json');
    const app = JSON.parse(show.stdout);
    assert.equal(app.name, 'Demo');
    assert.equal(app.client_secret, undefined);
    assert.ok(!show.stdout.includes(created['client_secret'] as string));
  });

  test('users create --json prints the uid that the token check reports; scopes create adds a scope', async () => {
    const user = await gatehouse('users', 'create', '--username', 'alice', '--password', 'correct horse', '--json');
    assert.equal(user.code, 0, user.stderr);
    const { uid } = JSON.parse(user.stdout);
    assert.match(uid, /^\d+$/);
    const scope = await gatehouse('scopes', 'create', '--name', 'photos', '--description', 'Read your photos');
    assert.equal(scope.code, 0, scope.stderr);
  });

  test('clients create takes the OpenID Connect settings, shows them, and refuses a bad one by name', async () => {
    const made = await gatehouse(
      'clients', 'create', '--name', 'OIDC app', '--root-domain', 'example.com', '--subject-type', 'pairwise', '--id-token-alg', 'ES256',
      '--post-logout-redirect-uri', 'https://app.example.com/bye', '--post-logout-redirect-uri', 'https://app.example.com/bye2',
      '--backchannel-logout-uri', 'https://app.example.com/backchannel', '--json',
    );
    assert.equal(made.code, 0, made.stderr);
    const app = JSON.parse(made.stdout);
    assert.deepEqual(
      [app.subject_type, app.id_token_signed_response_alg, app.post_logout_redirect_uris, app.backchannel_logout_uri, app.response_types],
      ['pairwise', 'ES256', ['https://app.example.com/bye', 'https://app.example.com/bye2'], 'https://app.example.com/backchannel', ['code', 'token', 'id_token', 'id_token token']],
    );
    const shown = await gatehouseJson('clients', 'show', app.client_id, '--json');
    assert.deepEqual(shown, Object.fromEntries(Object.entries(app).filter(([key]) => key !== 'client_secret')));
    const badAlg = await gatehouse('clients', 'create', '--name', 'x', '--root-domain', 'example.com', '--id-token-alg', 'HS256');
    assert.equal(badAlg.code, 1);
    assert.equal(badAlg.stderr.trim(), 'gatehouse: unknown id_token signing algorithm "HS256": use RS256, PS256, ES256, EdDSA');
    const badLogout = await gatehouse('clients', 'create', '--name', 'x', '--root-domain', 'example.com', '--post-logout-redirect-uri', 'https://evil.test/bye');
    assert.equal(badLogout.stderr.trim(), 'gatehouse: post-logout redirect URI https://evil.test/bye is not under the root domain example.com');
    const badBackchannel = await gatehouse('clients', 'create', '--name', 'x', '--root-domain', 'example.com', '--backchannel-logout-uri', 'http://app.example.com/bc');
    assert.equal(badBackchannel.stderr.trim(), 'gatehouse: back-channel logout URI http://app.example.com/bc must be https (plain http only on a loopback host)');
  });

  test('clients create takes the SPEC §8 settings (--resource, --access-token-format, --refresh-grace) and refuses a bad one by name', async () => {
    const made = await gatehouse(
      'clients', 'create', '--name', 'API app', '--root-domain', 'example.com', '--resource', 'https://api.example.com/', '--resource', 'urn:example:photos',
      '--access-token-format', 'jwt', '--refresh-grace', '30', '--json',
    );
    assert.equal(made.code, 0, made.stderr);
    const app = JSON.parse(made.stdout);
    assert.deepEqual([app.resources, app.access_token_format, app.refresh_grace], [['https://api.example.com/', 'urn:example:photos'], 'jwt', 30]);
    const badGrace = await gatehouse('clients', 'create', '--name', 'x', '--root-domain', 'example.com', '--refresh-grace', 'soon');
    assert.equal(badGrace.code, 1);
    assert.equal(badGrace.stderr.trim(), 'gatehouse: refresh grace must be a whole number of seconds from 0 to 86400');
    const badResource = await gatehouse('clients', 'create', '--name', 'x', '--root-domain', 'example.com', '--resource', 'https://api.example.com/#x', '--access-token-format', 'paseto');
    assert.equal(badResource.code, 1);
    assert.equal(badResource.stderr.trim(), 'gatehouse: resource "https://api.example.com/#x" has a fragment');
  });

  test('users create takes a name and a verified email', async () => {
    const made = await gatehouse('users', 'create', '--username', 'carol', '--password', 'correct horse', '--name', 'Carol Chen', '--email', 'carol@example.com', '--email-verified', '--json');
    assert.equal(made.code, 0, made.stderr);
    const user = JSON.parse(made.stdout);
    assert.deepEqual([user.username, user.name, user.email, user.email_verified], ['carol', 'Carol Chen', 'carol@example.com', true]);
    const unverifiable = await gatehouse('users', 'create', '--username', 'dave', '--password', 'correct horse', '--email-verified');
    assert.equal(unverifiable.stderr.trim(), 'gatehouse: email_verified needs an email');
  });

  test('rotate-secret prints a new secret; the old one stops working; disable turns the app off', async () => {
    const id = created['client_id'] as string;
    const rotated = (await gatehouseJson('clients', 'rotate-secret', id, '--json')) as { client_id: string; client_secret: string };
    assert.equal(rotated.client_id, id);
    assert.notEqual(rotated.client_secret, created['client_secret']);
    let server: TestServer | undefined;
    try {
      server = await startServer({ databaseUrl: database });
      const token = (secret: string) =>
        fetch(`${server!.url}/oauth/2.0/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: id, client_secret: secret }) });
      assert.equal((await token(created['client_secret'] as string)).status, 401);
      assert.equal((await token(rotated.client_secret)).status, 200);
      const scopes = (await server.instance.services.stores.scopes.listScopes()).map((s) => s.name);
      assert.ok(scopes.includes('photos'));
      const disabled = await gatehouse('clients', 'disable', id);
      assert.equal(disabled.code, 0, disabled.stderr);
      // The running server sees the change made by another process (SQLite data_version).
      const after = await token(rotated.client_secret);
      assert.equal(after.status, 401);
      assert.match((await after.json()).error_description, /disabled/);
    } finally {
      await server?.close().catch(() => {});
    }
  });

  test('clients create takes --token-endpoint-auth-method, --jwks, --jwks-uri and --require-par and prints them (SPEC §8)', async () => {
    const jwks = JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', kid: 'k1' }] });
    const keyed = await gatehouse('clients', 'create', '--name', 'Keyed', '--root-domain', 'example.com', '--token-endpoint-auth-method', 'private_key_jwt', '--jwks', jwks, '--require-par', '--json');
    assert.equal(keyed.code, 0, keyed.stderr);
    const app = JSON.parse(keyed.stdout);
    assert.deepEqual(
      { method: app.token_endpoint_auth_method, jwks: app.jwks, jwks_uri: app.jwks_uri, par: app.require_pushed_authorization_requests },
      { method: 'private_key_jwt', jwks: JSON.parse(jwks), jwks_uri: null, par: true },
    );
    assert.equal(created['token_endpoint_auth_method'], null);
    assert.equal(created['require_pushed_authorization_requests'], false);
    const byUri = await gatehouse('clients', 'create', '--name', 'ByUri', '--root-domain', 'example.com', '--jwks-uri', 'https://app.example.com/jwks.json', '--token-endpoint-auth-method', 'client_secret_jwt', '--json');
    assert.equal(byUri.code, 0, byUri.stderr);
    const hs = JSON.parse(byUri.stdout);
    assert.equal(hs.jwks_uri, 'https://app.example.com/jwks.json');
    assert.equal(hs.token_endpoint_auth_method, 'client_secret_jwt');
    assert.equal(hs.sealed_secret, undefined);
    const noKeys = await gatehouse('clients', 'create', '--name', 'NoKeys', '--root-domain', 'example.com', '--token-endpoint-auth-method', 'private_key_jwt');
    assert.equal(noKeys.code, 1);
    assert.match(noKeys.stderr, /private_key_jwt needs the app's public keys/);
    const privateKey = await gatehouse('clients', 'create', '--name', 'Leaky', '--root-domain', 'example.com', '--jwks', JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b', d: 'c' }] }));
    assert.equal(privateKey.code, 1);
    assert.match(privateKey.stderr, /private member "d"/);
  });

  test('clients create --admin makes a client-credentials app whose token carries gatehouse:admin and opens the admin API', async () => {
    const result = await gatehouse('clients', 'create', '--name', 'Ops', '--root-domain', 'example.com', '--admin', '--json');
    assert.equal(result.code, 0, result.stderr);
    const admin = JSON.parse(result.stdout);
    assert.deepEqual(
      { admin: admin.admin, grant_types: admin.grant_types, response_types: admin.response_types, scopes: admin.scopes, public: admin.public },
      { admin: true, grant_types: ['client_credentials'], response_types: [], scopes: ['gatehouse:admin'], public: false },
    );
    assert.equal(created['admin'], false);
    const refused = await gatehouse('clients', 'create', '--name', 'Ops', '--root-domain', 'example.com', '--admin', '--public');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /an admin app is confidential/);
    let server: TestServer | undefined;
    try {
      server = await startServer({ databaseUrl: database });
      const granted = await fetch(`${server.url}/oauth/2.0/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: admin.client_id, client_secret: admin.client_secret }) });
      const token = (await granted.json()) as { access_token: string; scope: string };
      assert.equal(token.scope, 'gatehouse:admin');
      const apps = await fetch(`${server.url}/admin/v1/apps?limit=200`, { headers: { authorization: `Bearer ${token.access_token}` } });
      assert.equal(apps.status, 200);
      const listed = ((await apps.json()) as { items: Array<{ client_id: string; admin: boolean }> }).items;
      assert.ok(listed.some((app) => app.client_id === admin.client_id && app.admin));
    } finally {
      await server?.close().catch(() => {});
    }
  });

  test('audit --json prints every change of these commands, newest first, actor cli, never a secret', async () => {
    const result = await gatehouse('audit', '--json', '--limit', '100');
    assert.equal(result.code, 0, result.stderr);
    const events = JSON.parse(result.stdout) as Array<{ id: string; at: string; actor: { type: string; id: string }; action: string; target: { type: string; id: string }; address: string | null; request_id: string | null }>;
    const id = created['client_id'] as string;
    assert.deepEqual(
      events.filter((event) => event.target.id === id).map((event) => event.action),
      ['app.disable', 'app.rotate_secret', 'app.create'],
    );
    assert.deepEqual(
      events.map((event) => event.action).filter((action) => action === 'user.create' || action === 'scope.create'),
      ['user.create', 'scope.create', 'user.create'], // carol (name and verified email), photos, alice
    );
    for (const event of events) {
      assert.equal(event.actor.type, 'cli');
      assert.equal(event.address, null);
      assert.match(event.request_id ?? '', /^[A-Za-z0-9_-]{22}$/);
      assert.match(event.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    const ids = events.map((event) => Number(event.id));
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
    assert.ok(!result.stdout.includes(created['client_secret'] as string));
    const limited = (await gatehouseJson('audit', '--json', '--limit', '2')) as unknown[];
    assert.deepEqual(limited, events.slice(0, 2));
    const text = await gatehouse('audit', '--limit', '1');
    assert.match(text.stdout, /^\d{4}-.*Z {2}cli:\S+ {2}app\.create {2}app:\S+\n$/);
    const bad = await gatehouse('audit', '--limit', '0');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--limit must be a whole number from 1 to 10000/);
  });
});
