/**
 * A PostgreSQL cluster and a Redis server of the test's own, on their own
 * loopback ports in a temporary directory, so a test may `kill -9` them and
 * start them again without touching the machine's shared services.
 *
 * PostgreSQL refuses to run as root: as root, its commands run as the
 * `postgres` user (runuser) and the directory is handed to that user.
 * Missing binaries are reported by the *_MISSING messages, which the suites
 * print as their reason to skip (never silently).
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort } from '../test/helpers/server.js';

const run = promisify(execFile);

function findPgBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => join(root, v, 'bin')).find((bin) => existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl')));
}

const PG_BIN = findPgBin();
export const PG_BINARIES_MISSING = PG_BIN === undefined ? 'skipping: no initdb and pg_ctl under /usr/lib/postgresql/*/bin (install postgresql)' : undefined;
export const REDIS_MISSING = spawnSync('redis-server', ['--version']).error === undefined ? undefined : 'skipping: redis-server is not installed (install redis-server)';

const asRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL command as the postgres user when we are root. */
function pgCommand(command: string, args: string[]): [string, string[]] {
  const path = join(PG_BIN!, command);
  return asRoot ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args];
}

export class PrivatePostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get data(): string {
    return join(this.dir, 'data');
  }

  /** The superuser's URL of the cluster's `postgres` database. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static async start(): Promise<PrivatePostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-pg-'));
    if (asRoot) {
      const { uid, gid } = userIdOf('postgres');
      chownSync(dir, uid, gid);
    }
    const cluster = new PrivatePostgres(dir, await freePort());
    const [cmd, args] = pgCommand('initdb', ['-D', cluster.data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    await run(cmd, args, { cwd: dir });
    await cluster.pgCtlStart();
    return cluster;
  }

  private async pgCtlStart(): Promise<void> {
    // -k: the socket in our own directory; listen only on loopback.
    const [cmd, args] = pgCommand('pg_ctl', ['start', '-w', '-t', '30', '-D', this.data, '-l', join(this.dir, 'postgres.log'), '-o', `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c max_connections=100`]);
    await run(cmd, args, { cwd: this.dir });
  }

  postmasterPid(): number {
    return Number(readFileSync(join(this.data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  }

  /** `kill -9` of the postmaster; resolves once it is gone and its backends have noticed and exited. */
  async kill9(): Promise<number> {
    const pid = this.postmasterPid();
    const children = await childPids(pid);
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 200 && [pid, ...children].some(alive); i++) await sleep(50);
    return pid;
  }

  /** Starts it again (crash recovery replays the WAL); retried while the old shared memory is still attached. */
  async restart(): Promise<void> {
    let last: unknown;
    for (let i = 0; i < 20; i++) {
      try {
        await this.pgCtlStart();
        return;
      } catch (error) {
        last = error;
        await sleep(500);
      }
    }
    throw last;
  }

  async stop(): Promise<void> {
    const [cmd, args] = pgCommand('pg_ctl', ['stop', '-m', 'immediate', '-D', this.data]);
    await run(cmd, args, { cwd: this.dir }).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  log(): string {
    try {
      return readFileSync(join(this.dir, 'postgres.log'), 'utf8');
    } catch {
      return '';
    }
  }
}

function userIdOf(name: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((entry) => entry.startsWith(`${name}:`));
  if (line === undefined) throw new Error(`no user ${name} (PostgreSQL will not run as ${userInfo().username})`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function childPids(pid: number): Promise<number[]> {
  try {
    const { stdout } = await run('ps', ['--ppid', String(pid), '-o', 'pid=']);
    return stdout.split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** A `redis-server` child on its own port, keeping nothing on disk. */
export class PrivateRedis {
  private child: ChildProcess | undefined;
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(mkdtempSync(join(tmpdir(), 'gatehouse-redis-')), await freePort());
    await redis.launch();
    return redis;
  }

  private async launch(): Promise<void> {
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      if ((await this.cli('ping').catch(() => '')) === 'PONG') return;
      await sleep(50);
    }
    throw new Error(`redis-server did not answer on port ${this.port}`);
  }

  async cli(...args: string[]): Promise<string> {
    const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(this.port), ...args]);
    return stdout.trim();
  }

  async kill9(): Promise<void> {
    const child = this.child!;
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  /** A new redis-server on the same port: empty, as a Redis that keeps nothing on disk comes back. */
  async restart(): Promise<void> {
    await this.launch();
  }

  async stop(): Promise<void> {
    await this.kill9();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
