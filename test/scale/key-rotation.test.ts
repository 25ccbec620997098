/**
 * SPEC §7 "Keys" and "ID tokens" across three `gatehouse serve` processes on one PostgreSQL
 * schema (issue 13): an app's client fetches the JWKS at each moment and verifies the
 * id_tokens it gets from the code flow (scope openid), spread over the three instances,
 *
 * - before a rotation: every instance signs with the first RS256 key;
 * - during one (`gatehouse keys rotate --alg RS256`, GATEHOUSE_KEY_PROPAGATION_SECONDS short):
 *   the new key is `next`, published by every instance before it signs, so a JWKS fetched
 *   then already verifies what is signed after the activation;
 * - after it became current: every instance signs with the new kid within 5 s of the
 *   activation (polled, bounded); the old key is `previous` and its tokens still verify;
 * - `keys retire OLD`: gone from every instance's JWKS within 5 s, its tokens stop verifying;
 * - `keys rotate --activate-now`: every instance signs with it within 5 s.
 *
 * Kids are asserted exactly (from `keys list --json` and `keys rotate --json`).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { authorize, Browser, redirectParams } from '../helpers/browserless-flow.js';
import { freePort } from '../helpers/server.js';
import { createTestSchema, type TestSchema } from '../storage/pg-schema.js';
import { withPostgres } from '../storage/pg-suite.js';
import { gatehouse, serve, type ServeProcess } from './process.js';

const REDIRECT = 'https://app.example.com/cb';
/** How long a rotated-in key is `next`: long enough to fetch the JWKS from all three before it signs on a busy machine. */
const PROPAGATION_SECONDS = 5;
/** SPEC §7: running instances pick up a rotation within 5 seconds. */
const PICKUP_MS = 5_000;

interface KeyJson {
  kid: string;
  alg: string;
  state: 'next' | 'current' | 'previous';
  created_at: string;
  activates_at?: string;
}

const kidOf = (jws: string) => decodeProtectedHeader(jws).kid;
const sorted = (values: Iterable<string>) => [...values].sort();

/** Polls `check` every 100 ms until it holds or `deadline` (epoch ms) passes; fails with `what` then. */
async function until(deadline: number, what: string, check: () => Promise<boolean>): Promise<void> {
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) assert.fail(`${what}: not by ${new Date(deadline).toISOString()}`);
    await sleep(100);
  }
}

withPostgres('signing-key rotation across three instances on PostgreSQL', (pgBase) => {
  describe('signing-key rotation across three instances on PostgreSQL', () => {
    let schema: TestSchema;
    let instances: ServeProcess[] = [];
    let env: Record<string, string>;
    let issuer: string;
    let client: { client_id: string; client_secret: string };
    let browser: Browser;
    const person = { username: 'alice', password: 'correct horse battery' };
    const nonce = 'n-rotation';
    const params = () => ({ response_type: 'code', client_id: client.client_id, redirect_uri: REDIRECT, scope: 'openid basic', nonce, state: 's' });
    const keysList = async () => JSON.parse(await gatehouse(['keys', 'list', '--json'], env)) as KeyJson[];

    /** The JWKS as a client fetches it from one instance at this moment. */
    const fetchJwks = async (instance: ServeProcess): Promise<JSONWebKeySet> => {
      const response = await fetch(`${instance.url}/oauth/2.0/jwks`);
      assert.equal(response.status, 200);
      return (await response.json()) as JSONWebKeySet;
    };
    const jwksKids = async (instance: ServeProcess) => sorted((await fetchJwks(instance)).keys.map((key) => key.kid!));

    /** One id_token through the code flow, both the authorize redirect and the token call on `instance`. */
    const idTokenFrom = async (instance: ServeProcess): Promise<string> => {
      const response = await fetch(`${instance.url}/oauth/2.0/authorize?${new URLSearchParams(params())}`, { headers: { cookie: browser.jar.header() }, redirect: 'manual' });
      assert.equal(response.status, 302, `authorize on ${instance.url}: ${(await response.text()).slice(0, 300)}`);
      const code = redirectParams(response.headers.get('location')!).get('code')!;
      const token = await fetch(`${instance.url}/oauth/2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: client.client_id, client_secret: client.client_secret }),
      });
      const json = (await token.json()) as Record<string, unknown>;
      assert.equal(token.status, 200, JSON.stringify(json));
      assert.equal(typeof json['id_token'], 'string', `no id_token from ${instance.url}: ${JSON.stringify(json)}`);
      return json['id_token'] as string;
    };
    /** An id_token from each instance. */
    const idTokensFromAll = () => Promise.all(instances.map(idTokenFrom));

    /** Verifies as an app does (OIDC Core §3.1.3.7) against the JWKS it holds; returns the kid. */
    const verifyWith = async (jwks: JSONWebKeySet, idToken: string): Promise<string> => {
      const { payload, protectedHeader } = await jwtVerify(idToken, createLocalJWKSet(jwks), { issuer, audience: client.client_id, algorithms: ['RS256'] });
      assert.equal(payload.nonce, nonce);
      assert.equal(payload['azp'], client.client_id);
      return protectedHeader.kid!;
    };

    before(async () => {
      schema = await createTestSchema(pgBase);
      const ports = await Promise.all([freePort(), freePort(), freePort()]);
      issuer = `http://127.0.0.1:${ports[0]}`;
      env = {
        GATEHOUSE_DATABASE_URL: schema.url,
        GATEHOUSE_COOKIE_SECRET: randomBytes(32).toString('base64url'),
        GATEHOUSE_KEYS_SECRET: randomBytes(32).toString('base64url'),
        GATEHOUSE_KEY_PROPAGATION_SECONDS: String(PROPAGATION_SECONDS),
        // One public origin for all, as behind a load balancer.
        GATEHOUSE_ISSUER: issuer,
      };
      await gatehouse(['migrate'], env);
      client = JSON.parse(await gatehouse(['clients', 'create', '--name', 'Rotation', '--root-domain', 'example.com', '--redirect-uri', REDIRECT, '--scopes', 'basic,openid', '--id-token-alg', 'RS256', '--json'], env));
      await gatehouse(['users', 'create', '--username', person.username, '--password', person.password], env);
      instances = await Promise.all(ports.map((port) => serve([], env, port)));
      // Signed in and consented once (on the first instance); the session cookie works on all three.
      browser = new Browser(instances[0]!.url);
      const final = await authorize(browser, params(), person);
      assert.equal(final.status, 302, final.body.slice(0, 500));
    });
    after(async () => {
      await Promise.all(instances.map((instance) => instance.stop('SIGKILL')));
      await schema?.drop();
    });

    it('verifies id_tokens signed before, during and after a rotation against the JWKS fetched at each moment; retire and --activate-now reach every instance within 5 s', async () => {
      // ---------------------------------------------------------------- before
      const first = await keysList();
      const others = first.filter((key) => key.alg !== 'RS256').map((key) => key.kid);
      const [old] = first.filter((key) => key.alg === 'RS256');
      assert.equal(old?.state, 'current');
      assert.deepEqual(first.filter((key) => key.alg === 'RS256').map((key) => key.kid), [old!.kid], 'one RS256 key before the rotation');
      const expectBefore = sorted([old!.kid, ...others]);
      for (const instance of instances) assert.deepEqual(await jwksKids(instance), expectBefore, `JWKS of ${instance.url} before`);
      const jwksBefore = await fetchJwks(instances[0]!);
      const beforeTokens = await idTokensFromAll();
      for (const token of beforeTokens) assert.equal(await verifyWith(jwksBefore, token), old!.kid);

      // ---------------------------------------------------------------- during: the new key is next
      const [made] = JSON.parse(await gatehouse(['keys', 'rotate', '--alg', 'RS256', '--json'], env)) as KeyJson[];
      assert.equal(made?.alg, 'RS256');
      assert.equal(made?.state, 'next');
      const activatesAt = Date.parse(made!.activates_at!);
      assert.equal(activatesAt - Date.parse(made!.created_at), PROPAGATION_SECONDS * 1000);
      const expectDuring = sorted([old!.kid, made!.kid, ...others]);
      // Published by every instance (each re-reads the key table every ~2 s) before it signs.
      const rotatedAt = Date.parse(made!.created_at);
      const published: JSONWebKeySet[] = [];
      for (const instance of instances) {
        await until(rotatedAt + PICKUP_MS, `${instance.url} publishes the next key`, async () => (await jwksKids(instance)).includes(made!.kid));
        const jwks = await fetchJwks(instance);
        published.push(jwks);
        assert.deepEqual(sorted(jwks.keys.map((key) => key.kid!)), expectDuring, `JWKS of ${instance.url} during`);
      }
      const duringTokens = await idTokensFromAll();
      const jwksDuring = published[0]!;
      const stillNext = Date.now() < activatesAt;
      for (const token of duringTokens) {
        // Signed before the activation with the old key; a token signed at the very edge may carry the new one (also in the JWKS held).
        const kid = await verifyWith(jwksDuring, token);
        assert.ok(kid === old!.kid || (!stillNext && kid === made!.kid), `during: signed with ${kid}`);
      }
      assert.ok(stillNext, `the JWKS was fetched from all three within the ${PROPAGATION_SECONDS} s propagation delay (machine too slow otherwise)`);

      // ---------------------------------------------------------------- after: the new key is current
      for (const instance of instances) {
        await until(activatesAt + PICKUP_MS, `${instance.url} signs with the new key`, async () => kidOf(await idTokenFrom(instance)) === made!.kid);
      }
      assert.deepEqual((await keysList()).filter((key) => key.alg === 'RS256').map((key) => [key.kid, key.state]), [[old!.kid, 'previous'], [made!.kid, 'current']]);
      const afterTokens = await idTokensFromAll();
      for (const token of afterTokens) {
        // The JWKS the app fetched before the activation already holds the key that signs now.
        assert.equal(await verifyWith(jwksDuring, token), made!.kid);
      }
      const jwksAfter = await fetchJwks(instances[2]!);
      for (const instance of instances) assert.deepEqual(await jwksKids(instance), expectDuring, `JWKS of ${instance.url} after: the previous key stays published`);
      for (const token of [...beforeTokens, ...duringTokens]) assert.equal(await verifyWith(jwksAfter, token), old!.kid);
      for (const token of afterTokens) assert.equal(await verifyWith(jwksAfter, token), made!.kid);
      // The JWKS held from before the rotation does not know the new kid: an app refetches on an unknown kid.
      await assert.rejects(verifyWith(jwksBefore, afterTokens[0]!), { code: 'ERR_JWKS_NO_MATCHING_KEY' });

      // ---------------------------------------------------------------- retire the old key
      await gatehouse(['keys', 'retire', old!.kid], env);
      const retiredAt = Date.now();
      const expectRetired = sorted([made!.kid, ...others]);
      for (const instance of instances) {
        await until(retiredAt + PICKUP_MS, `${instance.url} drops the retired key`, async () => !(await jwksKids(instance)).includes(old!.kid));
        assert.deepEqual(await jwksKids(instance), expectRetired, `JWKS of ${instance.url} after retire`);
      }
      const jwksRetired = await fetchJwks(instances[1]!);
      for (const token of beforeTokens) await assert.rejects(verifyWith(jwksRetired, token), { code: 'ERR_JWKS_NO_MATCHING_KEY' });
      for (const token of afterTokens) assert.equal(await verifyWith(jwksRetired, token), made!.kid);
      assert.deepEqual((await keysList()).filter((key) => key.alg === 'RS256').map((key) => [key.kid, key.state]), [[made!.kid, 'current']]);

      // ---------------------------------------------------------------- --activate-now
      const [now] = JSON.parse(await gatehouse(['keys', 'rotate', '--alg', 'RS256', '--activate-now', '--json'], env)) as KeyJson[];
      assert.equal(now?.state, 'current');
      assert.equal(now?.activates_at, now?.created_at);
      const activatedAt = Date.parse(now!.activates_at!);
      for (const instance of instances) {
        await until(activatedAt + PICKUP_MS, `${instance.url} signs with the key activated now`, async () => kidOf(await idTokenFrom(instance)) === now!.kid);
        assert.deepEqual(await jwksKids(instance), sorted([made!.kid, now!.kid, ...others]), `JWKS of ${instance.url} after --activate-now`);
      }
      const jwksNow = await fetchJwks(instances[0]!);
      for (const token of await idTokensFromAll()) assert.equal(await verifyWith(jwksNow, token), now!.kid);
      for (const token of afterTokens) assert.equal(await verifyWith(jwksNow, token), made!.kid);
      assert.deepEqual((await keysList()).filter((key) => key.alg === 'RS256').map((key) => [key.kid, key.state]), [[made!.kid, 'previous'], [now!.kid, 'current']]);
      // The other algorithms were never touched.
      assert.deepEqual(sorted((await keysList()).filter((key) => key.alg !== 'RS256').map((key) => key.kid)), sorted(others));
    });
  });
});
