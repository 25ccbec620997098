/** Safeguards around self-registered apps (SPEC §9): consent pages, PKCE S256, the cleanup TTL, the operators' list. */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ThrottledAppUsage } from '../../src/core/app-usage.js';
import type { App } from '../../src/core/model.js';
import { runGc } from '../../src/jobs/gc.js';
import { openDatabase } from '../../src/storage/sql/connect.js';
import { authorize, Browser, redirectParams } from '../helpers/browserless-flow.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { PUBLIC_CLIENT, register } from './helpers.js';

const MARKUP = '<img src=x onerror=alert(1)><script>alert(2)</script>';
const pkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

describe('self-registered apps in the browser', () => {
  let server: TestServer;
  let person: { username: string; password: string };
  before(async () => {
    server = await startServer({ env: { GATEHOUSE_REGISTRATION: 'open', GATEHOUSE_REGISTRATION_RATE: '1000', GATEHOUSE_OPERATORS: 'operator' } });
    person = await server.createUser();
  });
  after(() => server.close());

  test('the consent page says self-registered, shows the redirect host, no logo, and escapes client_name', async () => {
    const made = (await register(server.url, { ...PUBLIC_CLIENT, client_name: MARKUP, redirect_uris: ['https://app.tools.example.org/cb'], logo_uri: 'https://tools.example.org/logo.png' })).body;
    const browser = new Browser(server.url);
    const { challenge } = pkce();
    const params = { response_type: 'code', client_id: made['client_id'] as string, redirect_uri: 'https://app.tools.example.org/cb', code_challenge: challenge, code_challenge_method: 'S256' };
    const signIn = await browser.request(`/oauth/2.0/authorize?${new URLSearchParams(params)}`);
    assert.equal(signIn.body.includes('<script>alert(2)'), false);
    const consent = await browser.submit(signIn, { username: person.username, password: person.password });
    assert.equal(consent.status, 200);
    assert.match(consent.body, /data-self-registered="true"/);
    assert.match(consent.body, /data-redirect-host="app.tools.example.org"/);
    assert.equal(/<img/i.test(consent.body), false);
    assert.equal(consent.body.includes('tools.example.org/logo.png'), false);
    assert.equal(consent.body.includes(MARKUP), false);
    // Text is escaped ('<' and '&'; a '>' in text is harmless): no element can come of it.
    assert.ok(consent.body.includes('&lt;img src=x onerror=alert(1)>&lt;script>alert(2)&lt;/script>'));
  });

  test('an operator-made app\'s consent page is as before (no self-registered notice)', async () => {
    const made = await server.createApp({ redirectUris: ['https://app.example.com/cb'] });
    const browser = new Browser(server.url);
    const signIn = await browser.request(`/oauth/2.0/authorize?${new URLSearchParams({ response_type: 'code', client_id: made.clientId, redirect_uri: 'https://app.example.com/cb' })}`);
    const consent = await browser.submit(signIn, { username: person.username, password: person.password });
    assert.equal(consent.status, 200);
    assert.equal(consent.body.includes('data-self-registered'), false);
  });

  test('a self-registered public app must use PKCE S256: plain is refused', async () => {
    const made = (await register(server.url, PUBLIC_CLIENT)).body;
    const final = await authorize(
      new Browser(server.url),
      { response_type: 'code', client_id: made['client_id'] as string, redirect_uri: PUBLIC_CLIENT.redirect_uris[0]!, code_challenge: 'a'.repeat(43), code_challenge_method: 'plain', state: 's' },
      person,
    );
    assert.equal(final.status, 302);
    const answer = redirectParams(final.location!);
    assert.equal(answer.get('error'), 'invalid_request');
    assert.match(answer.get('error_description') ?? '', /S256/);
    // An operator-made public app keeps plain (Baidu clients see no change).
    const operators = await server.createApp({ isPublic: true, redirectUris: ['http://127.0.0.1/cb'] });
    const kept = await authorize(new Browser(server.url), { response_type: 'code', client_id: operators.clientId, redirect_uri: 'http://127.0.0.1/cb', code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' }, person);
    assert.ok(redirectParams(kept.location!).get('code'));
  });

  test('operators list self-registered apps (escaped) and disable one; others get 404; a forged form changes nothing', async () => {
    const made = (await register(server.url, { ...PUBLIC_CLIENT, client_name: MARKUP })).body;
    const clientId = made['client_id'] as string;
    await server.createUser('operator', 'operator password 1');
    const operator = new Browser(server.url);
    await operator.submit(await operator.request('/login'), { username: 'operator', password: 'operator password 1' });
    const list = await operator.request('/console/self-registered');
    assert.equal(list.status, 200);
    assert.match(list.body, new RegExp(`data-client-id="${clientId}" data-disabled="false"`));
    assert.equal(list.body.includes(MARKUP), false);
    assert.equal(/<img/i.test(list.body), false);

    const forged = await operator.request(`/console/self-registered/${clientId}`, { form: { decision: 'disable', csrf_token: 'forged' } });
    assert.equal(forged.status, 403);
    assert.equal((await server.instance.services.stores.apps.findApp(clientId))?.disabled, false);

    const stranger = new Browser(server.url);
    await stranger.submit(await stranger.request('/login'), { username: person.username, password: person.password });
    assert.equal((await stranger.request('/console/self-registered')).status, 404);

    const row = new RegExp(`<tr data-client-id="${clientId}"[\\s\\S]*?</tr>`).exec(list.body)![0];
    const done = await operator.submit({ ...list, body: row }, { decision: 'disable' });
    assert.equal(done.status, 303);
    assert.equal((await server.instance.services.stores.apps.findApp(clientId))?.disabled, true);
    const events = await server.instance.services.stores.audit.listEvents({ limit: 5 });
    assert.equal(events[0]?.action, 'app.disable');
  });
});

describe('the cleanup job and self-registered apps', () => {
  test('deletes those unused for GATEHOUSE_DYNAMIC_CLIENT_TTL (revoking their tokens), keeps used ones and every other app', async () => {
    const server = await startServer({ env: { GATEHOUSE_REGISTRATION: 'open' } });
    try {
      const { stores } = server.instance.services;
      const unused = (await register(server.url, { grant_types: ['client_credentials'] })).body;
      const used = (await register(server.url, { grant_types: ['client_credentials'] })).body;
      const operators = await server.createApp();
      const basic = (made: Record<string, unknown>) => `Basic ${Buffer.from(`${made['client_id'] as string}:${made['client_secret'] as string}`).toString('base64')}`;
      const token = await fetch(`${server.url}/oauth/2.0/token`, { method: 'POST', headers: { authorization: basic(unused), 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
      const { access_token: accessToken } = (await token.json()) as { access_token: string };

      const day = 86_400_000;
      const now = Date.now() + 10 * day;
      // What the token endpoint writes (at most hourly) when an app issues a token.
      await stores.apps.updateApp(used['client_id'] as string, { lastUsedAt: now - day });
      const database = await openDatabase(server.config.databaseUrl, { migrate: false });
      try {
        const result = await runGc(database, { now, dynamicClientTtlSeconds: 5 * 86_400 });
        assert.equal(result.ran && result.counts.dynamicApps, 1);
      } finally {
        await database.close();
      }
      assert.equal(await stores.apps.findApp(unused['client_id'] as string), undefined);
      assert.ok(await stores.apps.findApp(used['client_id'] as string));
      assert.ok(await stores.apps.findApp(operators.clientId));
      const id = Number(accessToken.split('.')[0]);
      assert.notEqual((await stores.tokens.findToken(id))?.revokedAt, null);
    } finally {
      await server.close();
    }
  });
});

describe('noting a self-registered app\'s use', () => {
  const app = (extra: Partial<App>) => ({ clientId: 'c', ...extra }) as App;

  test('writes at most once per interval, and never for an ordinary app', () => {
    const writes: [string, number][] = [];
    const usage = new ThrottledAppUsage({ updateApp: async (clientId, patch) => (writes.push([clientId, patch.lastUsedAt!]), true) }, 1000, () => {});
    usage.tokenIssued(app({}), 5_000);
    usage.tokenIssued(app({ registration: null }), 5_000);
    assert.deepEqual(writes, []);
    usage.tokenIssued(app({ registration: 'dynamic' }), 5_000);
    usage.tokenIssued(app({ registration: 'dynamic' }), 5_500);
    usage.tokenIssued(app({ registration: 'dynamic' }), 6_000);
    assert.deepEqual(writes, [
      ['c', 5_000],
      ['c', 6_000],
    ]);
    // A value the store already holds counts as the last write (another instance, a restart).
    usage.tokenIssued(app({ clientId: 'd', registration: 'dynamic', lastUsedAt: 6_500 }), 7_000);
    assert.equal(writes.length, 2);
  });
});
