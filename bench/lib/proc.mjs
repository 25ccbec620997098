/**
 * Servers under test: started pinned to the server core (taskset execs node, so the
 * pid is the server itself), their CPU time and peak RSS read from /proc, and
 * stopped by pid only (SIGTERM, then SIGKILL).
 */
import { spawn, execFileSync } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';

export const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

export function startServer({ command, args, env, cwd, logFile, cpus }) {
  const fd = openSync(logFile, 'a');
  const argv = cpus ? ['-c', cpus, command, ...args] : args;
  const child = spawn(cpus ? 'taskset' : command, argv, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { pid: child.pid, child, exited, logFile };
}

export async function stopServer(server) {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 5000);
  await server.exited;
  clearTimeout(timer);
}

/** user + system CPU seconds so far (fields 14 and 15 of /proc/<pid>/stat). */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** Peak resident set size so far, in MB (VmHWM). */
export function peakRssMb(pid) {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

export async function waitReady(server, url, timeoutMs = 30_000) {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (server.child.exitCode !== null) throw new Error(`server exited (code ${server.child.exitCode}); see ${server.logFile}`);
    try {
      await fetch(url, { method: 'POST', signal: AbortSignal.timeout(2000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`server did not answer ${url} within ${timeoutMs} ms; see ${server.logFile}`);
}
