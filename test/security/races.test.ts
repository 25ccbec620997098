/**
 * Races (RFC 6749 §4.1.2, §10.4; RFC 8628 §3.5; RFC 9700 §4.14): many
 * requests at once against one credential must give exactly one success;
 * two consent answers at once make one consent row without error; rotating
 * a Secret Key while tokens are being issued loses nothing. Run on SQLite,
 * and on PostgreSQL when GATEHOUSE_TEST_DATABASE_URL is set.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rotateSecret } from '../../src/core/apps.js';
import { authorize, Browser, redirectParams } from '../helpers/browserless-flow.js';
import { startServer, TEST_CONTEXT, type TestServer } from '../helpers/server.js';
import { RFC_GRANT, visitDevicePage } from '../device/helpers.js';
import { createTestSchema, PG_SKIP_MESSAGE, PG_URL, type TestSchema } from '../storage/pg-schema.js';

const REDIRECT = 'https://app.example.com/cb';
const WAYS = 40;

type Json = Record<string, string>;

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`races on ${backend}`, () => {
    if (backend === 'postgres' && PG_URL === undefined) {
      it('runs only with PostgreSQL', (t) => t.diagnostic(PG_SKIP_MESSAGE));
      return;
    }
    let server: TestServer;
    let schema: TestSchema | undefined;
    let creds: Json;
    let clientId: string;
    let person: { uid: string; username: string; password: string };

    before(async () => {
      schema = backend === 'postgres' ? await createTestSchema(PG_URL!) : undefined;
      server = await startServer(schema ? { databaseUrl: schema.url } : {});
      const made = await server.createApp({ redirectUris: [REDIRECT] });
      clientId = made.clientId;
      creds = { client_id: made.clientId, client_secret: made.clientSecret! };
      person = await server.createUser();
    });
    after(async () => {
      await server.close();
      await schema?.drop();
    });

    const post = (path: string, form: Json, secret = creds) =>
      fetch(`${server.url}${path}`, { method: 'POST', body: new URLSearchParams({ ...form, ...secret }) }).then(async (r) => ({ status: r.status, body: (await r.json()) as Json }));
    const codeFor = async (scope = 'basic') =>
      redirectParams((await authorize(new Browser(server.url), { response_type: 'code', client_id: clientId, redirect_uri: REDIRECT, scope }, person)).location!).get('code')!;
    const tokenInfo = async (token: string) => (await fetch(`${server.url}/oauth/2.0/tokeninfo?access_token=${encodeURIComponent(token)}`)).status;

    it(`${WAYS} concurrent redemptions of one code: exactly one 200, the rest invalid_grant, and the winner's token revoked (replay)`, async () => {
      const code = await codeFor();
      const results = await Promise.all(Array.from({ length: WAYS }, () => post('/oauth/2.0/token', { grant_type: 'authorization_code', code, redirect_uri: REDIRECT })));
      const winners = results.filter((r) => r.status === 200);
      assert.equal(winners.length, 1);
      for (const loser of results.filter((r) => r.status !== 200)) assert.deepEqual([loser.status, loser.body['error']], [400, 'invalid_grant']);
      // RFC 6749 §4.1.2: a second redemption revokes what the code gave.
      assert.equal(await tokenInfo(winners[0]!.body['access_token']!), 400);
    });

    it(`${WAYS} concurrent refreshes of one refresh token: exactly one 200, the rest expired_token`, async () => {
      const pair = (await post('/oauth/2.0/token', { grant_type: 'authorization_code', code: await codeFor(), redirect_uri: REDIRECT })).body;
      const results = await Promise.all(Array.from({ length: WAYS }, () => post('/oauth/2.0/token', { grant_type: 'refresh_token', refresh_token: pair['refresh_token']! })));
      assert.equal(results.filter((r) => r.status === 200).length, 1);
      for (const loser of results.filter((r) => r.status !== 200)) assert.deepEqual([loser.status, loser.body['error']], [400, 'expired_token']);
    });

    for (const dialect of [{ grant: 'device_token', param: 'code' }, { grant: RFC_GRANT, param: 'device_code' }]) {
      it(`${WAYS} concurrent polls of one approved device code (${dialect.grant}): exactly one 200, no 5xx`, async () => {
        const device = (await post('/oauth/2.0/device/code', { scope: 'basic' })).body;
        const page = await visitDevicePage(server.url, device['user_code']!, person);
        assert.equal(page.status, 200);
        const results = await Promise.all(Array.from({ length: WAYS }, () => post('/oauth/2.0/token', { grant_type: dialect.grant, [dialect.param]: device['device_code']! })));
        assert.equal(results.filter((r) => r.status === 200).length, 1, JSON.stringify(results.map((r) => r.body['error'] ?? 200)));
        for (const loser of results.filter((r) => r.status !== 200)) {
          assert.equal(loser.status, 400);
          assert.ok(['invalid_grant', 'slow_down'].includes(loser.body['error']!), loser.body['error']);
        }
      });
    }

    it('two devices pages approving one user code at once: one decision is kept, the other sees the code spent', async () => {
      const device = (await post('/oauth/2.0/device/code', { scope: 'basic' })).body;
      const tabs = await Promise.all([0, 1].map(() => visitDevicePage(server.url, device['user_code']!, person, 'approve')));
      assert.deepEqual(tabs.map((tab) => tab.status).sort(), [200, 200]);
      const poll = await post('/oauth/2.0/token', { grant_type: RFC_GRANT, device_code: device['device_code']! });
      assert.equal(poll.status, 200);
    });

    it('consent submitted twice at once (double click, two tabs with different scopes): no error, one consent row holding both scopes', async () => {
      const who = await server.createUser();
      const both = await server.createApp({ redirectUris: [REDIRECT], scopes: ['basic', 'email'] });
      const tabs = await Promise.all(
        ['basic', 'email'].map(async (scope) => {
          const browser = new Browser(server.url);
          let page = await browser.request(`/oauth/2.0/authorize?${new URLSearchParams({ response_type: 'code', client_id: both.clientId, redirect_uri: REDIRECT, scope })}`);
          page = await browser.submit(page, { username: who.username, password: who.password });
          assert.match(page.body, /name="decision"/, `${page.status} ${page.location}`);
          return { browser, page };
        }),
      );
      // Each tab's consent form, posted twice (a double click) — four answers at once.
      const answers = await Promise.all(tabs.flatMap(({ browser, page }) => [browser.submit(page, { decision: 'approve' }), browser.submit(page, { decision: 'approve' })]));
      for (const answer of answers) {
        assert.equal(answer.status, 302);
        assert.match(answer.location!, /^https:\/\/app\.example\.com\/cb\?code=/);
      }
      const rows = await server.instance.database.db.selectFrom('consents').selectAll().where('uid', '=', who.uid).where('client_id', '=', both.clientId).execute();
      assert.equal(rows.length, 1);
      assert.deepEqual(rows[0]!.scope.split(' ').sort(), ['basic', 'email']);
    });

    it('rotating the Secret Key while 20 clients issue tokens: no 5xx, every 200 token valid, then the old secret fails and the last new one works', async () => {
      const made = await server.createApp();
      const old = { client_id: made.clientId, client_secret: made.clientSecret! };
      let stop = false;
      const statuses = new Map<number, number>();
      const issued: string[] = [];
      const client = async () => {
        while (!stop) {
          const result = await post('/oauth/2.0/token', { grant_type: 'client_credentials' }, old);
          statuses.set(result.status, (statuses.get(result.status) ?? 0) + 1);
          if (result.status === 200) issued.push(result.body['access_token']!);
          else assert.equal(result.body['error'], 'invalid_client');
        }
      };
      const clients = Array.from({ length: 20 }, client);
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Five rotations at once: the store keeps exactly one of the five new secrets.
      const fresh = await Promise.all(Array.from({ length: 5 }, () => rotateSecret(server.instance.services.stores, made.clientId, TEST_CONTEXT())));
      await new Promise((resolve) => setTimeout(resolve, 300));
      stop = true;
      await Promise.all(clients);
      assert.ok([...statuses.keys()].every((status) => status === 200 || status === 401), JSON.stringify([...statuses]));
      assert.ok((statuses.get(200) ?? 0) > 0);
      for (const token of issued) assert.equal(await tokenInfo(token), 200);
      assert.equal((await post('/oauth/2.0/token', { grant_type: 'client_credentials' }, old)).status, 401);
      const working = [];
      for (const secret of fresh) {
        if ((await post('/oauth/2.0/token', { grant_type: 'client_credentials' }, { client_id: made.clientId, client_secret: secret })).status === 200) working.push(secret);
      }
      assert.equal(working.length, 1, 'exactly one of the concurrent rotations is in force');
    });
  });
}
