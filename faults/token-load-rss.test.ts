/**
 * Bounded memory under sustained load: 20 s of client_credentials requests on
 * the token endpoint of a `gatehouse serve` process (wrk, 50 connections, when
 * installed; else 50 fetch loops), sampling the server's resident set from
 * /proc. Peak RSS (VmHWM) must stay bounded, and RSS must not keep growing.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { createClient, serve, stop, tokenLoad } from './helpers.js';

const SECONDS = 20;
const PEAK_LIMIT_MB = 512;

function memory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

const hasWrk = () => spawnSync('wrk', ['--version']).error === undefined;

describe('memory under sustained token-endpoint load', () => {
  it(`keeps peak RSS under ${PEAK_LIMIT_MB} MB over ${SECONDS} s of client_credentials load`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-rss-'));
    const databaseUrl = `sqlite:${join(dir, 'gatehouse.db')}`;
    const client = await createClient(databaseUrl);
    const served = await serve(databaseUrl);
    try {
      const samples: number[] = [];
      const started = Date.now();
      const sampler = (async () => {
        while (Date.now() - started < SECONDS * 1000) {
          samples.push(memory(served.pid).rss);
          await sleep(500);
        }
      })();
      let requests: string;
      if (hasWrk()) {
        const script = join(dir, 'token.lua');
        const auth = Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64');
        writeFileSync(script, `wrk.method = "POST"\nwrk.body = "grant_type=client_credentials"\nwrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\nwrk.headers["Authorization"] = "Basic ${auth}"\n`);
        const { stdout: out } = await promisify(execFile)('wrk', ['-t1', '-c50', `-d${SECONDS}s`, '-s', script, `${served.url}/oauth/2.0/token`], { encoding: 'utf8' });
        requests = `wrk: ${/(\d+) requests in/.exec(out)?.[1]} requests, ${/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]} req/s, non-2xx: ${/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0}`;
        assert.doesNotMatch(out, /Non-2xx or 3xx responses/);
      } else {
        const result = await tokenLoad(served.url, client, () => Date.now() - started > SECONDS * 1000, 50);
        requests = `fetch loops (wrk not installed): ${result.tokens.length} tokens issued`;
        assert.deepEqual([...result.statuses.keys()], [200]);
      }
      await sampler;
      const { hwm, rss } = memory(served.pid);
      const firstHalf = Math.max(...samples.slice(0, Math.floor(samples.length / 2)));
      const secondHalf = Math.max(...samples.slice(Math.floor(samples.length / 2)));
      t.diagnostic(`${requests}; server peak RSS (VmHWM) ${hwm.toFixed(0)} MB, RSS at end ${rss.toFixed(0)} MB, max RSS first half ${firstHalf.toFixed(0)} MB, second half ${secondHalf.toFixed(0)} MB`);
      assert.ok(hwm < PEAK_LIMIT_MB, `peak RSS ${hwm} MB`);
      // No leak: the second half of the run does not climb far above the first.
      assert.ok(secondHalf < firstHalf * 1.5 + 32, `RSS grew from ${firstHalf} to ${secondHalf} MB`);
    } finally {
      await stop(served);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
