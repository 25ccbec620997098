/**
 * A real Gatehouse on loopback for HTTP tests: a fresh SQLite file in a temp
 * directory, a free port, an app and a user made through the same core
 * functions the CLI uses.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';
import { createAccount } from '../../src/core/accounts.js';
import { registerApp, type AppInput } from '../../src/core/apps.js';
import type { ChangeContext } from '../../src/core/audit.js';
import type { App } from '../../src/core/model.js';
import type { AppDeps } from '../../src/http/app.js';
import { createInstance, type Instance, type InstanceOptions } from '../../src/server.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface TestServer {
  url: string;
  config: Readonly<Config>;
  instance: Instance;
  dir: string;
  /** Registers an app (defaults: root domain example.com, every grant and response type). */
  createApp(input?: Partial<AppInput>): Promise<{ app: App; clientId: string; clientSecret: string | undefined }>;
  createUser(username?: string, password?: string): Promise<{ uid: string; username: string; password: string }>;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Extra GATEHOUSE_* environment for loadConfig (lifetimes, flags). */
  env?: Record<string, string>;
  /** Database URL; default a fresh SQLite file. */
  databaseUrl?: string;
  deps?: Partial<AppDeps>;
  /** The instance's own timings (the back-channel logout worker's poll and back-off). */
  instance?: InstanceOptions;
}

let userCounter = 0;

/** Changes a test makes directly (as the CLI would): actor cli `test`. */
export const TEST_CONTEXT = (): ChangeContext => ({ actor: { type: 'cli', id: 'test' }, address: null, requestId: null, now: Date.now() });

export async function startServer(options: StartOptions = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
  const port = await freePort();
  const config = loadConfig(
    { database: options.databaseUrl ?? `sqlite:${join(dir, 'gatehouse.db')}`, host: '127.0.0.1', port },
    { GATEHOUSE_LOG_LEVEL: 'silent', ...options.env },
  );
  const instance = await createInstance(config, options.deps, options.instance);
  await instance.app.listen({ host: '127.0.0.1', port });
  const { stores } = instance.services;
  return {
    url: config.issuer,
    config,
    instance,
    dir,
    async createApp(input = {}) {
      const known = new Set((await stores.scopes.listScopes()).map((scope) => scope.name));
      const { app, clientSecret } = await registerApp({ audit: stores.audit, clientKeys: instance.services.clientKeys }, { name: 'Test App', rootDomain: 'example.com', ...input }, known, TEST_CONTEXT());
      return { app, clientId: app.clientId, clientSecret };
    },
    async createUser(username = `user${++userCounter}_${process.pid}`, password = 'correct horse battery') {
      const user = await createAccount(stores, { username, password }, TEST_CONTEXT());
      return { uid: user.uid, username, password };
    },
    async close() {
      await instance.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
