/**
 * `gatehouse serve` as a real child process, for the scale-out tests: spawned
 * from the TypeScript source (node --import tsx), waited for on /health,
 * stopped by signal. Its output is kept for the failure message.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

export const CLI = join(import.meta.dirname, '../../src/cli.ts');

export interface ServeProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  /** Sends `signal` and waits (bounded) for the process to exit; resolves to its exit code or signal. */
  stop(signal?: NodeJS.Signals): Promise<number | string | null>;
}

/** Runs one `gatehouse` command to completion and returns its stdout. */
export async function gatehouse(args: string[], env: Record<string, string>): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', CLI, ...args], { env: { ...process.env, ...env } });
  return stdout;
}

/** The built CLI run as an executable, as `gatehouse serve` runs: its shebang's flags and environment apply (the soak measures memory as operators get it). */
export const BUILT_CLI = [join(import.meta.dirname, '../../dist/cli.js')];

/**
 * `timeoutMs`: how long to wait for /health (a loaded machine starts tsx slowly).
 * `entry`: the command and its arguments before `serve`: the TypeScript source through tsx by default, BUILT_CLI for the built one.
 */
export async function serve(args: string[], env: Record<string, string>, port: number, timeoutMs = 30_000, entry: string[] = [process.execPath, '--import', 'tsx', CLI]): Promise<ServeProcess> {
  const child = spawn(entry[0]!, [...entry.slice(1), 'serve', '--host', '127.0.0.1', '--port', String(port), ...args], {
    env: { ...process.env, GATEHOUSE_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const url = `http://127.0.0.1:${port}`;
  const proc: ServeProcess = {
    url,
    child,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return Promise.race([exited, sleep(15_000).then(() => 'still running after 15 s')]);
    },
  };
  for (const started = Date.now(); Date.now() - started < timeoutMs; ) {
    if (child.exitCode !== null) throw new Error(`gatehouse serve exited with ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(`${url}/health`)).status === 200) return proc;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  await proc.stop('SIGKILL');
  throw new Error(`gatehouse serve did not answer /health within ${timeoutMs / 1000} s:\n${output}`);
}

/** The pids of a process's direct children whose command line mentions `needle`. */
export async function childPids(pid: number, needle: string): Promise<number[]> {
  try {
    const { stdout } = await promisify(execFile)('ps', ['--ppid', String(pid), '-o', 'pid=,args=']);
    return stdout
      .split('\n')
      .filter((line) => line.includes(needle))
      .map((line) => Number(line.trim().split(/\s+/, 1)[0]));
  } catch {
    return []; // ps exits 1 when there is no child
  }
}
