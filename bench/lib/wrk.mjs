/** Running wrk (one thread, keep-alive connections) pinned to the load-generator core. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const LUA_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'lua');

function toMs(text) {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text ?? '');
  if (!match) return NaN;
  const value = Number(match[1]);
  return { us: value / 1000, ms: value, s: value * 1000, m: value * 60_000 }[match[2]];
}

/**
 * Runs wrk and parses its report. `script` is a file in bench/lua; `env` reaches the
 * script through os.getenv.
 */
export function runWrk({ url, script, env = {}, seconds, connections, cpus }) {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '5s', '--latency', '-s', join(LUA_DIR, script), url];
  const command = cpus ? 'taskset' : 'wrk';
  const argv = cpus ? ['-c', cpus, 'wrk', ...args] : args;
  return new Promise((resolve, reject) => {
    execFile(command, argv, { env: { ...process.env, BENCH_LUA_DIR: LUA_DIR, ...env }, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`wrk failed: ${error.message}\n${stdout}\n${stderr}`));
      const requests = Number(/(\d+) requests in/.exec(stdout)?.[1] ?? 0);
      const latency = (pct) => toMs(new RegExp(`^\\s+${pct}%\\s+(\\S+)`, 'm').exec(stdout)?.[1]);
      const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
      const hook = /BENCH bad=(\d+) exhausted=(\d+)/.exec(stdout);
      resolve({
        rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? NaN),
        p50: latency(50),
        p99: latency(99),
        requests,
        non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0),
        errors: socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
        bad: hook ? Number(hook[1]) : 0,
        exhausted: hook ? Number(hook[2]) : 0,
        raw: stdout,
      });
    });
  });
}
