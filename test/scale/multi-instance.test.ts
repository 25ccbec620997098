/**
 * Three `gatehouse serve` processes on loopback sharing one PostgreSQL schema
 * (fresh per run) and one Redis (a key prefix per run), with one cookie
 * secret, behind a "load balancer" that sends each request to the next
 * instance. Every SPEC guarantee must hold across them (issue 6).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { authorize, Browser, redirectParams, type TokenJson } from '../helpers/browserless-flow.js';
import { freePort } from '../helpers/server.js';
import { requestDevice, visitDevicePage, RFC_GRANT } from '../device/helpers.js';
import { createTestSchema, type TestSchema } from '../storage/pg-schema.js';
import { withPostgres } from '../storage/pg-suite.js';
import { withRedis } from '../storage/redis-suite.js';
import { gatehouse, serve, type ServeProcess } from './process.js';

const REDIRECT = 'https://app.example.com/cb';

/** Each call goes to the next instance, like a round-robin load balancer. */
class RoundRobin {
  private next = 0;
  constructor(readonly instances: ServeProcess[]) {}
  base(): string {
    const live = this.instances.filter((instance) => instance.child.exitCode === null && instance.child.signalCode === null);
    return live[this.next++ % live.length]!.url;
  }
  /** A browser whose every request (page, form post, redirect follow-up) lands on the next instance. */
  browser(): Browser {
    const browser = new Browser(this.instances[0]!.url);
    Object.defineProperty(browser, 'base', { get: () => this.base() });
    return browser;
  }
  async form(path: string, params: Record<string, string>, base = this.base()): Promise<{ status: number; json: Record<string, unknown>; instance: string }> {
    const response = await fetch(new URL(path, base), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown>, instance: base };
  }
}

withPostgres('three instances on PostgreSQL and Redis', (pgBase) =>
  withRedis('three instances on PostgreSQL and Redis', (redisUrl) => {
    describe('three instances sharing PostgreSQL and Redis', () => {
      let schema: TestSchema;
      let instances: ServeProcess[] = [];
      let lb: RoundRobin;
      let client: { client_id: string; client_secret: string };
      const person = { username: 'alice', password: 'correct horse battery' };
      const creds = () => ({ client_id: client.client_id, client_secret: client.client_secret });

      const codeFromAuthorize = async (browser = lb.browser()) => {
        const final = await authorize(browser, { response_type: 'code', client_id: client.client_id, redirect_uri: REDIRECT }, person);
        assert.equal(final.status, 302, final.body.slice(0, 500));
        return redirectParams(final.location!).get('code')!;
      };
      const introspect = (token: string, base?: string) => lb.form('/oauth/2.0/introspect', { token, ...creds() }, base);

      before(async () => {
        schema = await createTestSchema(pgBase);
        const ports = await Promise.all([freePort(), freePort(), freePort()]);
        const env = {
          GATEHOUSE_DATABASE_URL: schema.url,
          GATEHOUSE_REDIS_URL: redisUrl,
          GATEHOUSE_REDIS_PREFIX: `gatehouse-test:${randomBytes(6).toString('hex')}:`,
          GATEHOUSE_COOKIE_SECRET: randomBytes(32).toString('base64url'),
          // One public origin for all, as behind a load balancer.
          GATEHOUSE_ISSUER: `http://127.0.0.1:${ports[0]}`,
        };
        await gatehouse(['migrate'], env);
        client = JSON.parse(await gatehouse(['clients', 'create', '--name', 'Scale', '--root-domain', 'example.com', '--redirect-uri', REDIRECT, '--json'], env));
        await gatehouse(['users', 'create', '--username', person.username, '--password', person.password], env);
        instances = await Promise.all(ports.map((port) => serve([], env, port)));
        lb = new RoundRobin(instances);
      });
      after(async () => {
        await Promise.all(instances.map((instance) => instance.stop('SIGKILL')));
        await schema?.drop();
      });

      it('runs the code flow with sign-in, consent and redirect each on another instance, then refresh and tokeninfo elsewhere', async () => {
        const browser = lb.browser();
        const code = await codeFromAuthorize(browser);
        const exchanged = await lb.form('/oauth/2.0/token', { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, ...creds() });
        assert.equal(exchanged.status, 200, JSON.stringify(exchanged.json));
        const tokens = exchanged.json as unknown as TokenJson;
        assert.equal(tokens.token_type, 'Bearer');

        const refreshed = await lb.form('/oauth/2.0/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token!, ...creds() });
        assert.equal(refreshed.status, 200, JSON.stringify(refreshed.json));
        const replay = await lb.form('/oauth/2.0/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token!, ...creds() });
        assert.equal(replay.status, 400);
        assert.equal(replay.json['error'], 'expired_token');
        // The replay revoked the family, on whichever instance it landed: everywhere.
        for (const instance of instances) {
          const info = await fetch(`${instance.url}/oauth/2.0/tokeninfo?access_token=${encodeURIComponent(String(refreshed.json['access_token']))}`);
          assert.equal(info.status, 400);
          assert.equal(((await info.json()) as { error: string }).error, 'invalid_grant');
        }
      });

      it('keeps the sign-in session on every instance (signed cookie, shared secret)', async () => {
        const browser = lb.browser();
        await codeFromAuthorize(browser);
        for (let i = 0; i < 3; i += 1) {
          const again = await browser.request(`/oauth/2.0/authorize?${new URLSearchParams({ response_type: 'code', client_id: client.client_id, redirect_uri: REDIRECT })}`);
          assert.equal(again.status, 302, 'signed in and consented already, whatever the instance');
          assert.ok(redirectParams(again.location!).get('code'));
        }
      });

      it('issues client credentials tokens on every instance, each introspected as active on the others', async () => {
        for (const instance of instances) {
          const issued = await lb.form('/oauth/2.0/token', { grant_type: 'client_credentials', ...creds() }, instance.url);
          assert.equal(issued.status, 200, JSON.stringify(issued.json));
          for (const other of instances) {
            const info = await introspect(String(issued.json['access_token']), other.url);
            assert.equal(info.json['active'], true);
            assert.equal(info.json['client_id'], client.client_id);
          }
        }
      });

      it('gives exactly one success to 50 concurrent redemptions of one code spread over the three instances', async () => {
        const code = await codeFromAuthorize();
        const answers = await Promise.all(
          Array.from({ length: 50 }, () => lb.form('/oauth/2.0/token', { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, ...creds() })),
        );
        assert.equal(new Set(answers.map((a) => a.instance)).size, 3);
        assert.equal(answers.filter((a) => a.status === 200).length, 1);
        const losers = answers.filter((a) => a.status !== 200);
        assert.equal(losers.length, 49);
        for (const loser of losers) assert.deepEqual([loser.status, loser.json['error']], [400, 'invalid_grant']);
      });

      it('runs the device flow across instances: page on one, polls on the others, slow_down held across them', async () => {
        const slow = await requestDevice(lb.base(), { client_id: client.client_id, scope: 'basic' });
        const polls = [];
        for (let i = 0; i < 3; i += 1) polls.push(await lb.form('/oauth/2.0/token', { grant_type: RFC_GRANT, device_code: slow.device_code, ...creds() }));
        assert.equal(new Set(polls.map((p) => p.instance)).size, 3);
        assert.deepEqual(polls.map((p) => p.json['error']), ['authorization_pending', 'slow_down', 'slow_down']);

        const device = await requestDevice(lb.base(), { client_id: client.client_id, scope: 'basic' });
        const page = await visitDevicePage(lb.base(), device.user_code, person, 'approve', lb.browser());
        assert.equal(page.status, 200);
        const granted = await lb.form('/oauth/2.0/token', { grant_type: RFC_GRANT, device_code: device.device_code, ...creds() });
        assert.equal(granted.status, 200, JSON.stringify(granted.json));
        const again = await lb.form('/oauth/2.0/token', { grant_type: 'device_token', code: device.device_code, ...creds() });
        assert.equal(again.status, 400);
        assert.equal((await introspect(String(granted.json['access_token']))).json['active'], true);
      });

      it('shares the sign-in limit through Redis: the 11th wrong password is refused whichever instance gets it', async () => {
        const browser = lb.browser();
        const form = await browser.request(`/oauth/2.0/authorize?${new URLSearchParams({ response_type: 'code', client_id: client.client_id, redirect_uri: REDIRECT })}`);
        const statuses: number[] = [];
        for (let i = 0; i < 11; i += 1) statuses.push((await browser.submit(form, { username: 'bob', password: `wrong ${i}` })).status);
        assert.deepEqual(statuses, [...Array(10).fill(200), 429]);
      });

      it('loses no issued token when an instance is killed with SIGKILL under token load', async (t) => {
        const issued: string[] = [];
        let failures = 0;
        let stop = false;
        const worker = async () => {
          for (let i = 0; i < 2000 && !stop; i += 1) {
            try {
              const answer = await lb.form('/oauth/2.0/token', { grant_type: 'client_credentials', ...creds() });
              if (answer.status === 200) issued.push(String(answer.json['access_token']));
              else failures += 1;
            } catch {
              failures += 1; // the connection to the killed instance broke: no answer, no token
            }
          }
        };
        const load = Promise.all(Array.from({ length: 12 }, worker));
        await sleep(700);
        const before = issued.length;
        const victim = instances[2]!;
        await victim.stop('SIGKILL');
        await sleep(700);
        stop = true;
        await load;
        assert.ok(before > 0 && issued.length > before, `tokens issued before (${before}) and after (${issued.length}) the kill`);
        const survivors = instances.slice(0, 2);
        let inactive = 0;
        for (let i = 0; i < issued.length; i += 25) {
          const batch = issued.slice(i, i + 25);
          const answers = await Promise.all(batch.map((token, j) => introspect(token, survivors[j % 2]!.url)));
          inactive += answers.filter((a) => a.json['active'] !== true).length;
        }
        t.diagnostic(`${issued.length} tokens answered 200 (${before} before the kill), ${failures} requests failed, all introspected active`);
        assert.equal(inactive, 0, `${inactive} of ${issued.length} tokens answered 200 but are not active (${failures} requests failed)`);
      });
    });
  }),
);
