/**
 * Refresh grace (SPEC §8, `--refresh-grace SECONDS`): within the window the
 * same app presenting the refresh token it just used gets exactly the same
 * pair and nothing is revoked; 50 concurrent refreshes of one token all get
 * 200 with the same pair; after the window, reuse is expired_token and the
 * family is revoked (SPEC §3). On SQLite, on PostgreSQL, and on two
 * PostgreSQL instances at once (the answer is found through the store).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TokenJson } from '../helpers/browserless-flow.js';
import { makeProof, proofKey, type ProofKey } from '../helpers/dpop.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { createTestSchema, PG_SKIP_MESSAGE, PG_URL, type TestSchema } from '../storage/pg-schema.js';
import { basic, startResourceFixture, type Client, type ResourceFixture } from './fixture.js';

const GRACE = 30;

function graceSuite(name: string, open: () => Promise<{ url?: string; close(): Promise<void> }>): void {
  describe(`refresh grace (${name})`, () => {
    let f: ResourceFixture;
    let graced: Client;
    let store: { url?: string; close(): Promise<void> };
    let peer: TestServer | undefined;

    const refresh = (client: Client, refreshToken: string, base = f.server.url) =>
      fetch(new URL('/oauth/2.0/token', base), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client.clientId, client.clientSecret) },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
      });
    const isActive = (token: string) => f.isActive(token);

    before(async () => {
      store = await open();
      f = await startResourceFixture(store.url);
      const redirectUri = 'https://app.graced.com/cb';
      const made = await f.server.createApp({ rootDomain: 'graced.com', redirectUris: [redirectUri], scopes: ['basic'], refreshGrace: GRACE });
      graced = { clientId: made.clientId, clientSecret: made.clientSecret!, redirectUri };
      if (store.url !== undefined) peer = await startServer({ databaseUrl: store.url });
    });
    after(async () => {
      await peer?.close();
      await f.server.close();
      await store.close();
    });

    // First: the proofs' iat is the real clock, and the server's has not been advanced yet.
    test('with DPoP: a reuse with the key of the first use gets the same pair; another key, or none, invalid_grant, nothing revoked', async () => {
      const first = await f.codeTokens(graced);
      const [k1, k2] = [await proofKey(), await proofKey()];
      const htu = `${f.server.url}/oauth/2.0/token`;
      const withProof = async (key?: ProofKey) =>
        fetch(htu, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(graced.clientId, graced.clientSecret), ...(key === undefined ? {} : { dpop: await makeProof(key, { htu }) }) },
          body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: first.refresh_token! }),
        });
      const used = await withProof(k1);
      assert.equal(used.status, 200);
      const answer = await used.text();
      assert.equal((JSON.parse(answer) as TokenJson).token_type, 'DPoP');
      for (const key of [k2, undefined]) {
        const refused = await withProof(key);
        assert.equal(refused.status, 400);
        assert.deepEqual(await refused.json(), f.errorBody('invalid_grant', 'refresh_token was used with another DPoP key: its tokens are bound to that key'));
      }
      const again = await withProof(k1);
      assert.equal(again.status, 200);
      assert.equal(await again.text(), answer);
      assert.equal(await isActive((JSON.parse(answer) as TokenJson).access_token), true, 'nothing was revoked');
    });

    test('a reuse within the window answers 200 with exactly the same pair, and nothing is revoked', async () => {
      const first = await f.codeTokens(graced);
      const used = await refresh(graced, first.refresh_token!);
      assert.equal(used.status, 200);
      const answer = await used.text();
      f.advance(GRACE - 1);
      const again = await refresh(graced, first.refresh_token!);
      assert.equal(again.status, 200);
      assert.equal(again.headers.get('cache-control'), 'no-store');
      assert.equal(await again.text(), answer);
      const pair = JSON.parse(answer) as TokenJson;
      assert.equal(await isActive(pair.access_token), true);
      assert.equal(await isActive(pair.refresh_token!), true);
      // The new refresh token is a normal one: it works once more.
      assert.equal((await refresh(graced, pair.refresh_token!)).status, 200);
    });

    test('50 concurrent refreshes of one token all answer 200 with the same pair', async () => {
      const first = await f.codeTokens(graced);
      const answers = await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          // On PostgreSQL, every other request goes to a second instance on the same database.
          const response = await refresh(graced, first.refresh_token!, peer !== undefined && i % 2 === 1 ? peer.url : f.server.url);
          return { status: response.status, body: await response.text() };
        }),
      );
      assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([200]), JSON.stringify(answers.find((a) => a.status !== 200)));
      assert.equal(new Set(answers.map((a) => a.body)).size, 1);
      const pair = JSON.parse(answers[0]!.body) as TokenJson;
      assert.equal(await isActive(pair.access_token), true);
      assert.equal(await isActive(pair.refresh_token!), true);
    });

    test('after the window, reuse answers expired_token and revokes the family (SPEC §3)', async () => {
      const first = await f.codeTokens(graced);
      const pair = (await (await refresh(graced, first.refresh_token!)).json()) as TokenJson;
      f.advance(GRACE + 1);
      const late = await refresh(graced, first.refresh_token!);
      assert.equal(late.status, 400);
      assert.deepEqual(await late.json(), f.errorBody('expired_token', 'refresh_token has already been used; every token of its grant is now revoked'));
      assert.equal(await isActive(pair.access_token), false);
      assert.equal(await isActive(pair.refresh_token!), false);
    });

    test('an app without a window (the default) keeps strict single use: the first reuse revokes the family', async () => {
      const first = await f.codeTokens(f.own);
      const pair = (await (await refresh(f.own, first.refresh_token!)).json()) as TokenJson;
      const again = await refresh(f.own, first.refresh_token!);
      assert.equal(again.status, 400);
      assert.equal(((await again.json()) as { error: string }).error, 'expired_token');
      assert.equal(await isActive(pair.access_token), false);
    });

    test('another app presenting the used token gets invalid_grant, and the window still holds for its own app', async () => {
      const first = await f.codeTokens(graced);
      const answer = await (await refresh(graced, first.refresh_token!)).text();
      const foreign = await refresh(f.own, first.refresh_token!);
      assert.equal(foreign.status, 400);
      assert.deepEqual(await foreign.json(), f.errorBody('invalid_grant', 'refresh_token was issued to another app'));
      assert.equal(await (await refresh(graced, first.refresh_token!)).text(), answer);
    });
  });
}

graceSuite('SQLite', async () => ({ close: async () => undefined }));

if (PG_URL === undefined) {
  test('refresh grace (PostgreSQL)', (t) => {
    t.diagnostic(PG_SKIP_MESSAGE);
    console.log(PG_SKIP_MESSAGE);
  });
} else {
  const base = PG_URL;
  graceSuite('PostgreSQL, two instances', async () => {
    const schema: TestSchema = await createTestSchema(base);
    return { url: schema.url, close: () => schema.drop() };
  });
}
