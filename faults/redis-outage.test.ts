/**
 * Redis killed under brute-force load (issue 18 item 2): a private
 * `redis-server` on its own port shared by three `gatehouse serve` instances
 * (one SQLite file), sign-in and user-code guessing spread over them, then
 * `kill -9` of Redis and a new, empty Redis on the same port.
 *
 * With Redis the limits are shared: the 11th wrong password for an account
 * (the 6th wrong user code from an address) is refused with 429 whichever
 * instance it lands on. Without it each instance limits on its own
 * (src/storage/failover-rate-limiter.ts): neither open nor closed, and no
 * request fails. When Redis is back the limits are shared again by themselves.
 *
 * Each attacker speaks from its own address (X-Forwarded-For from the trusted
 * loopback proxy, GATEHOUSE_TRUST_PROXY; documentation addresses, RFC 5737,
 * in a header only — every request goes to 127.0.0.1).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { Browser } from '../test/helpers/browserless-flow.js';
import { startCluster, type Cluster } from './cluster.js';
import { PrivateRedis, REDIS_MISSING } from './private-services.js';

const PREFIX = `gatehouse-faults:${randomBytes(4).toString('hex')}:`;

/** One wrong (or right) password at one instance from `address`: the status of the answer. */
async function signIn(base: string, address: string, username: string, password = 'wrong password'): Promise<number> {
  const browser = new Browser(base);
  const headers = { 'x-forwarded-for': address };
  const page = await browser.request('/login', { headers });
  return (await browser.submit(page, { username, password }, headers)).status;
}

/** One user code typed at one instance's device page from `address`. */
async function guessUserCode(base: string, address: string): Promise<number> {
  const browser = new Browser(base);
  const headers = { 'x-forwarded-for': address };
  const page = await browser.request('/oauth/2.0/device', { headers });
  return (await browser.submit(page, { user_code: 'BCDF-GHJK' }, headers)).status;
}

/**
 * Shared limits: 10 wrong passwords (5 wrong codes) spread round-robin over
 * the instances are answered 200; then every instance answers 429.
 */
async function assertShared(cluster: Cluster, tag: string): Promise<void> {
  const bases = cluster.instances.map((instance) => instance.url);
  const account = `${tag}-account`;
  const signInStatuses: number[] = [];
  for (let i = 0; i < 10; i++) signInStatuses.push(await signIn(bases[i % 3]!, `192.0.2.${tag.length}1`, account));
  for (const base of bases) signInStatuses.push(await signIn(base, `192.0.2.${tag.length}1`, account));
  assert.deepEqual(signInStatuses, [...Array(10).fill(200), 429, 429, 429], `${tag}: shared sign-in limit`);
  const codeStatuses: number[] = [];
  for (let i = 0; i < 5; i++) codeStatuses.push(await guessUserCode(bases[i % 3]!, `192.0.2.${tag.length}2`));
  for (const base of bases) codeStatuses.push(await guessUserCode(base, `192.0.2.${tag.length}2`));
  assert.deepEqual(codeStatuses, [...Array(5).fill(200), 429, 429, 429], `${tag}: shared user-code limit`);
}

describe('Redis killed under sign-in and user-code brute force (three instances)', () => {
  if (REDIS_MISSING !== undefined) {
    it('needs redis-server', (t) => t.diagnostic(REDIS_MISSING!));
    return;
  }

  it('keeps limiting per instance while Redis is gone, fails no request, and shares the limits again when it is back', async (t) => {
    const redis = await PrivateRedis.start();
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-redis-faults-'));
    const cluster = await startCluster(`sqlite:${join(dir, 'gatehouse.db')}`, {
      env: { GATEHOUSE_REDIS_URL: redis.url, GATEHOUSE_REDIS_PREFIX: PREFIX, GATEHOUSE_TRUST_PROXY: '127.0.0.1', GATEHOUSE_LOG_LEVEL: 'error' },
    });
    const bases = cluster.instances.map((instance) => instance.url);
    // The background brute force: bounded in count, from 30 addresses, on every instance.
    const statuses = new Map<string, number>();
    const count = (key: string) => statuses.set(key, (statuses.get(key) ?? 0) + 1);
    let stop = false;
    let sent = 0;
    const attacker = async (n: number) => {
      while (!stop && sent < 3000) {
        sent += 1;
        const base = bases[sent % 3]!;
        const address = `198.51.100.${(sent * 7 + n) % 30}`;
        try {
          if (sent % 3 === 0) count(`code ${await guessUserCode(base, address)}`);
          else count(`sign-in ${await signIn(base, address, `victim${sent % 5}`)}`);
        } catch (cause) {
          count(`failed ${String(cause).slice(0, 80)}`);
        }
      }
    };
    try {
      await assertShared(cluster, 'before');
      const load = Promise.all([0, 1, 2].map(attacker));
      await sleep(500);

      await redis.kill9();
      const sentAtKill = sent;
      // Per instance while Redis is away: each instance allows its own 10 (5), then 429 — never open, never a 500.
      for (const base of bases) {
        const perInstance: number[] = [];
        for (let i = 0; i < 11; i++) perInstance.push(await signIn(base, '192.0.2.77', 'down-account'));
        assert.deepEqual(perInstance, [...Array(10).fill(200), 429], `sign-in limit held by ${base} without Redis`);
        const codes: number[] = [];
        for (let i = 0; i < 6; i++) codes.push(await guessUserCode(base, '192.0.2.78'));
        assert.deepEqual(codes, [...Array(5).fill(200), 429], `user-code limit held by ${base} without Redis`);
      }
      // The person whose account is not under attack still signs in.
      assert.equal(await signIn(bases[0]!, '192.0.2.79', cluster.person.username, cluster.person.password), 303);
      const sentWhileDown = sent - sentAtKill;

      await redis.restart();
      // Each instance reconnects by itself (ioredis, at most 2 s apart): wait until each one's hit lands in the new Redis.
      for (const [i, base] of bases.entries()) {
        let seen = false;
        for (let attempt = 0; attempt < 40 && !seen; attempt++) {
          await signIn(base, '192.0.2.90', `probe${i}`);
          seen = (await redis.cli('exists', `${PREFIX}signin:192.0.2.90:probe${i}`)) === '1';
          if (!seen) await sleep(250);
        }
        assert.ok(seen, `${base} writes to Redis again`);
      }
      await assertShared(cluster, 'after-restart');
      stop = true;
      await load;

      const summary = [...statuses].sort().map(([key, n]) => `${key}:${n}`).join(' ');
      t.diagnostic(`background brute force: ${sent} requests (${sentWhileDown} while Redis was down) — ${summary}`);
      t.diagnostic('shared limits before the kill and after the restart: 10 wrong passwords / 5 wrong codes over 3 instances, then 429 on each; while down: each instance allowed its own 10 / 5, then 429');
      for (const key of statuses.keys()) assert.match(key, /^(sign-in|code) (200|429)$/, `${key}: ${statuses.get(key)}`);
      assert.ok(sentWhileDown > 0, 'the brute force ran while Redis was down');
    } finally {
      stop = true;
      await cluster.stop();
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
