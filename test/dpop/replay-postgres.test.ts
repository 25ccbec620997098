/**
 * SPEC §8: "A jti is accepted once, across all instances and endpoints" —
 * three Gatehouse instances on one PostgreSQL database (the replay cache is
 * the database's, stores.replays) behind one issuer, as behind a load
 * balancer: the very same proof replayed on another instance, at the token
 * endpoint and at a resource, and one proof raced at all three.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { makeProof, proofKey, type ProofKey } from '../helpers/dpop.js';
import { basic } from '../helpers/fixtures.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { createTestSchema, PG_SKIP_MESSAGE, PG_URL, type TestSchema } from '../storage/pg-schema.js';

if (PG_URL === undefined) {
  test('DPoP jti replay cache across three instances on PostgreSQL', (t) => {
    t.diagnostic(PG_SKIP_MESSAGE);
    console.log(PG_SKIP_MESSAGE);
  });
} else {
  const base = PG_URL;
  const ISSUER = 'https://gatehouse.example';
  describe('DPoP jti replay cache across three instances on PostgreSQL', () => {
    let schema: TestSchema;
    let instances: TestServer[] = [];
    let client: { clientId: string; clientSecret: string };
    let key: ProofKey;

    before(async () => {
      schema = await createTestSchema(base);
      for (let i = 0; i < 3; i++) instances.push(await startServer({ databaseUrl: schema.url, env: { GATEHOUSE_ISSUER: ISSUER } }));
      const made = await instances[0]!.createApp();
      client = { clientId: made.clientId, clientSecret: made.clientSecret! };
      key = await proofKey();
    });
    after(async () => {
      for (const instance of instances) await instance.close();
      instances = [];
      await schema.drop();
    });

    const proof = () => makeProof(key, { htu: `${ISSUER}/oauth/2.0/token` });
    /** The same request to one instance's own address; the proof names the issuer every instance serves. */
    const tokenAt = async (instance: TestServer, dpop: string) => {
      const response = await fetch(`http://127.0.0.1:${instance.config.port}/oauth/2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client.clientId, client.clientSecret), dpop },
        body: new URLSearchParams({ grant_type: 'client_credentials' }),
      });
      return { status: response.status, json: (await response.json()) as Record<string, unknown> };
    };

    test('a proof used at one instance is refused at the two others (token endpoint)', async () => {
      const once = await proof();
      const first = await tokenAt(instances[0]!, once);
      assert.equal(first.status, 200);
      assert.equal(first.json['token_type'], 'DPoP');
      for (const other of instances.slice(1)) {
        const again = await tokenAt(other, once);
        assert.equal(again.status, 400);
        assert.deepEqual(again.json, {
          error: 'invalid_dpop_proof',
          error_description: "the DPoP proof's jti has been used before: make a new proof for every request",
          error_uri: `${ISSUER}/oauth/2.0/errors/invalid_dpop_proof`,
        });
      }
    });

    test('a proof used at a resource of one instance is refused at the same resource of another', async () => {
      const accessToken = (await tokenAt(instances[0]!, await proof())).json['access_token'] as string;
      const path = '/rest/2.0/passport/auth/expireSession';
      const dpop = await makeProof(key, { htu: `${ISSUER}${path}`, accessToken });
      const call = (instance: TestServer) =>
        fetch(`http://127.0.0.1:${instance.config.port}${path}`, { method: 'POST', headers: { authorization: `DPoP ${accessToken}`, dpop } });
      assert.equal((await call(instances[1]!)).status, 200);
      const replayed = await call(instances[2]!);
      assert.equal(replayed.status, 401);
      assert.match(replayed.headers.get('www-authenticate')!, /^DPoP error="invalid_dpop_proof", error_description="the DPoP proof's jti has been used before/);
    });

    test('one proof raced at all three instances, ten times each: exactly one request succeeds', async () => {
      const raced = await proof();
      const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => tokenAt(instances[i % 3]!, raced)));
      assert.equal(answers.filter((answer) => answer.status === 200).length, 1);
      assert.equal(answers.filter((answer) => answer.json['error'] === 'invalid_dpop_proof').length, 29);
    });
  });
}
