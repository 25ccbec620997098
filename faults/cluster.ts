/**
 * Several `gatehouse serve` processes on one database, as behind a load
 * balancer (one issuer, one cookie secret), for the fault suites: an app and a
 * person made with the CLI, a round-robin over the live instances, and kill -9
 * / restart of one instance on its own port.
 */
import { randomBytes } from 'node:crypto';
import { freePort } from '../test/helpers/server.js';
import { gatehouse, serve, type ServeProcess } from '../test/scale/process.js';
import type { LoadTarget } from './mixed-load.js';

export const REDIRECT_URI = 'https://app.example.com/cb';

export interface Cluster extends LoadTarget {
  env: Record<string, string>;
  ports: number[];
  instances: ServeProcess[];
  live(): ServeProcess[];
  kill9(index: number): Promise<void>;
  restart(index: number): Promise<ServeProcess>;
  stop(): Promise<void>;
}

export async function startCluster(databaseUrl: string, options: { count?: number; env?: Record<string, string>; clientArgs?: string[] } = {}): Promise<Cluster> {
  const ports = await Promise.all(Array.from({ length: options.count ?? 3 }, () => freePort()));
  const env: Record<string, string> = {
    GATEHOUSE_DATABASE_URL: databaseUrl,
    GATEHOUSE_COOKIE_SECRET: randomBytes(32).toString('base64url'),
    GATEHOUSE_ISSUER: `http://127.0.0.1:${ports[0]}`,
    GATEHOUSE_DEVICE_POLL_INTERVAL: '1',
    ...options.env,
  };
  await gatehouse(['migrate'], env);
  const client = JSON.parse(
    await gatehouse(['clients', 'create', '--name', 'Faults', '--root-domain', 'example.com', '--redirect-uri', REDIRECT_URI, '--scopes', 'basic,openid', ...(options.clientArgs ?? []), '--json'], env),
  ) as { client_id: string; client_secret: string };
  const person = { username: 'faults', password: 'correct horse battery' };
  await gatehouse(['users', 'create', '--username', person.username, '--password', person.password], env);
  const instances = await Promise.all(ports.map((port) => serve([], env, port, 120_000)));
  const isLive = (instance: ServeProcess) => instance.child.exitCode === null && instance.child.signalCode === null;
  let next = 0;
  const cluster: Cluster = {
    env,
    ports,
    instances,
    client,
    person,
    redirectUri: REDIRECT_URI,
    live: () => instances.filter(isLive),
    base() {
      const live = cluster.live();
      return (live.length > 0 ? live : instances)[next++ % Math.max(live.length, 1)]!.url;
    },
    async kill9(index) {
      await instances[index]!.stop('SIGKILL');
    },
    async restart(index) {
      instances[index] = await serve([], env, ports[index]!, 120_000);
      return instances[index]!;
    },
    async stop() {
      await Promise.all(instances.map((instance) => instance.stop('SIGKILL')));
    },
  };
  return cluster;
}
