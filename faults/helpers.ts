/**
 * Shared by the fault-injection suites (`npm run test:faults`): a real
 * `gatehouse serve` child process on loopback, an app registered in its
 * database, a client_credentials load that remembers every token answered
 * 200, and a check of those tokens afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { registerApp } from '../src/core/apps.js';
import { openDatabase } from '../src/storage/sql/connect.js';
import { freePort } from '../test/helpers/server.js';

export interface Served {
  child: ChildProcess;
  url: string;
  pid: number;
}

/** Starts `gatehouse serve` and waits until /health answers 200 (at most 20 s). */
export async function serve(databaseUrl: string, port?: number): Promise<Served> {
  const chosen = port ?? (await freePort());
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve', '--database', databaseUrl, '--port', String(chosen)], {
    env: { ...process.env, GATEHOUSE_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${chosen}`;
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`gatehouse serve exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health`)).status === 200) return { child, url, pid: child.pid! };
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error('gatehouse serve did not become healthy in 20 s');
}

export function killHard(served: Served): Promise<void> {
  return new Promise((resolve) => {
    served.child.once('exit', () => resolve());
    served.child.kill('SIGKILL');
  });
}

export async function stop(served: Served): Promise<void> {
  if (served.child.exitCode !== null || served.child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    served.child.once('exit', () => resolve());
    served.child.kill('SIGTERM');
  });
}

/** A confidential app with client_credentials, registered straight in the database. */
export async function createClient(databaseUrl: string): Promise<{ clientId: string; clientSecret: string }> {
  const database = await openDatabase(databaseUrl, { poolSize: 1 });
  try {
    const { app, clientSecret } = await registerApp(database.stores, { name: 'Fault test', rootDomain: 'example.com' }, new Set(['basic', 'email']), { actor: { type: 'cli', id: 'faults' }, address: null, requestId: null, now: Date.now() });
    return { clientId: app.clientId, clientSecret: clientSecret! };
  } finally {
    await database.close();
  }
}

export interface LoadResult {
  tokens: string[];
  statuses: Map<number | string, number>;
  bodies: Record<string, unknown>[];
}

/**
 * `concurrency` loops of client_credentials requests until `until()` says
 * stop; connection errors (the server was killed) end a loop. Every 200's
 * access_token is kept; every other answer's JSON is kept for checking.
 */
export async function tokenLoad(url: string, client: { clientId: string; clientSecret: string }, until: (so: LoadResult) => boolean, concurrency = 20): Promise<LoadResult> {
  const result: LoadResult = { tokens: [], statuses: new Map(), bodies: [] };
  const authorization = `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`;
  const count = (key: number | string) => result.statuses.set(key, (result.statuses.get(key) ?? 0) + 1);
  const loop = async () => {
    while (!until(result)) {
      let response: Response;
      try {
        response = await fetch(`${url}/oauth/2.0/token`, { method: 'POST', headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
      } catch {
        count('connection error');
        await sleep(20);
        continue;
      }
      count(response.status);
      let body: Record<string, unknown>;
      try {
        body = (await response.json()) as Record<string, unknown>;
      } catch {
        // The server died while answering: no 200 was seen, so nothing is owed.
        count('cut mid-answer');
        continue;
      }
      if (response.status === 200) result.tokens.push(body['access_token'] as string);
      else result.bodies.push({ status: response.status, retryAfter: response.headers.get('retry-after'), ...body });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return result;
}

/** How many of `tokens` tokeninfo does NOT answer 200 for (checked 20 at a time). */
export async function invalidTokens(url: string, tokens: string[]): Promise<string[]> {
  const bad: string[] = [];
  let next = 0;
  const loop = async () => {
    while (next < tokens.length) {
      const token = tokens[next++]!;
      const response = await fetch(`${url}/oauth/2.0/tokeninfo?access_token=${encodeURIComponent(token)}`);
      if (response.status !== 200) bad.push(`${token.split('.')[0]} → ${response.status}`);
      await response.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: 20 }, loop));
  return bad;
}

export const describeStatuses = (statuses: Map<number | string, number>) => [...statuses].map(([status, n]) => `${status}:${n}`).join(' ');
