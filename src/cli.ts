#!/usr/bin/env -S MALLOC_MMAP_THRESHOLD_=131072 node --max-semi-space-size=8
/**
 * (The shebang caps V8's young generation at 8 MB a semi-space: peak memory
 * under sustained token load drops by ~16 MB at no measured throughput cost,
 * docs/performance.md. And it fixes glibc's mmap threshold at 128 KiB: every
 * password hash (scrypt, N=2^14, r=8) takes a 16 MiB buffer on a thread-pool
 * thread; with glibc's default sliding threshold those buffers come to live in
 * per-thread arenas that keep them after free, and RSS grew by tens of MB over
 * a soak while the V8 heap stayed flat (docs/security.md). Fixed, each buffer
 * is mapped and unmapped. `npm start` and deploy/gatehouse@.service set both.)
 *
 * The `gatehouse` command (SPEC §5): serve, migrate, clients, users, scopes.
 * Every subcommand reads the database from --database or GATEHOUSE_DATABASE_URL.
 */
import { userInfo } from 'node:os';
import { Command, Option } from 'commander';
import { createAccount, AccountInputError } from './core/accounts.js';
import { AppInputError, parseGraceSeconds, registerApp, rotateSecret, setAppDisabled } from './core/apps.js';
import type { AuditStore, ChangeContext } from './core/audit.js';
import { appJson, eventJson, keyJson } from './http/admin/wire.js';
import { retireKey, rotateKeys } from './core/key-admin.js';
import { saveScope, ScopeInputError } from './core/scope-admin.js';
import { randomId } from './core/tokens.js';
import { ConfigError, loadConfig } from './config.js';
import { runGc } from './jobs/gc.js';
import { createInitialAccessToken, INITIAL_ACCESS_TOKEN_DEFAULTS } from './core/initial-access-tokens.js';
import { isFirstProcess, isWorker, runPrimary } from './cluster.js';
import { createInstance, createLogger } from './server.js';
import { limitHeapGrowth } from './heap-growth.js';
import { announceFirstRun } from './first-run-link.js';
import { openDatabase, type OpenedDatabase } from './storage/sql/connect.js';
import { openSigningKeys } from './storage/keys/index.js';
import { clientKeys } from './storage/client-keys/index.js';
import { isJwsAlg, JWS_ALGS, SigningKeyError, type SigningKeyInfo, type SigningKeyManager } from './core/signing.js';

const program = new Command();
program.name('gatehouse').description('A Baidu-compatible OAuth 2.0 authorization server').showHelpAfterError();

const databaseOption = () => new Option('--database <url>', 'database URL: sqlite:PATH or postgres://… (env GATEHOUSE_DATABASE_URL)');
const list = (value: string): string[] => value.split(',').map((item) => item.trim()).filter((item) => item !== '');
const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

async function withDatabase<T>(options: { database?: string }, run: (database: OpenedDatabase) => Promise<T>): Promise<T> {
  const config = loadConfig({ database: options.database });
  const database = await openDatabase(config.databaseUrl, { poolSize: 2 });
  try {
    return await run(database);
  } finally {
    await database.close();
  }
}

/** Changes made by this command: actor `cli` (the operating-system user), no address, one request id per run. */
const runId = randomId(16);
function cliContext(): ChangeContext {
  let who = 'unknown';
  try {
    who = userInfo().username;
  } catch {
    // no passwd entry (some containers): the actor is still `cli`
  }
  return { actor: { type: 'cli', id: who }, address: null, requestId: runId, now: Date.now() };
}

/** The same JSON names as the admin API (SPEC §10), from the one mapping. */
const describeApp = appJson;
const describeEvent = eventJson;

function print(json: boolean, value: Record<string, unknown>, text: string): void {
  console.log(json ? JSON.stringify(value) : text);
}

program
  .command('serve')
  .description('run the server')
  .addOption(databaseOption())
  .option('--host <host>', 'address to listen on (env GATEHOUSE_HOST, default 127.0.0.1)')
  .option('--port <port>', 'port (env GATEHOUSE_PORT, default 8080)')
  .option('--issuer <url>', 'public URL of the server (env GATEHOUSE_ISSUER, default http://HOST:PORT)')
  .option('--workers <n>', 'processes sharing the port (node:cluster), e.g. one per core; default 1')
  .action(async (options: { database?: string; host?: string; port?: string; issuer?: string; workers?: string }) => {
    const config = loadConfig(options);
    const logger = createLogger(config);
    // GATEHOUSE_HEAP_GROWING_PERCENT: peak memory against GC time (src/heap-growth.ts).
    const heapGrowth = limitHeapGrowth(config.heapGrowingPercent);
    const workers = Number(options.workers ?? 1);
    if (!Number.isInteger(workers) || workers < 1 || workers > 256) throw new ConfigError(`--workers must be a whole number from 1 to 256, got ${JSON.stringify(options.workers)}`);
    if (workers > 1 && !isWorker()) {
      await runPrimary(config, workers, logger);
      return;
    }
    const instance = await createInstance(config, { logger });
    const address = await instance.app.listen({ host: config.host, port: config.port });
    logger.info({ address, issuer: config.issuer, database: config.databaseUrl.replace(/\/\/[^@/]*@/, '//***@'), heapGrowth }, 'gatehouse listening');
    // First run: a one-time link to create the first account (printed, never logged).
    if (isFirstProcess()) await announceFirstRun(instance, config.issuer, (line) => console.log(line));
    const stop = async (signal: string) => {
      logger.info({ signal }, 'shutting down');
      await instance.close();
      process.exit(0);
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
  });

/** Opens the database and the signing keys (making the first ones on a fresh database). */
async function withKeys<T>(options: { database?: string }, run: (keys: SigningKeyManager, audit: AuditStore) => Promise<T>): Promise<T> {
  const config = loadConfig({ database: options.database });
  const database = await openDatabase(config.databaseUrl, { poolSize: 2 });
  try {
    return await run(await openSigningKeys(database.db, config), database.stores.audit);
  } finally {
    await database.close();
  }
}

/** A key as `keys list --json` prints it (SPEC §7): times in ISO 8601, as `clients` prints created_at. */
function describeKey(key: SigningKeyInfo) {
  return { kid: key.kid, alg: key.alg, state: key.state, created_at: new Date(key.createdAt).toISOString() };
}

function keyLine(key: SigningKeyInfo): string {
  const activates = key.state === 'next' ? `  becomes current ${new Date(key.activatesAt).toISOString()}` : '';
  return `${key.kid}  ${key.alg.padEnd(5)}  ${key.state.padEnd(8)}  created ${new Date(key.createdAt).toISOString()}${activates}`;
}

program
  .command('migrate')
  .description('apply pending migrations and exit')
  .addOption(databaseOption())
  .action(async (options: { database?: string }) => {
    // The first signing keys are made here too, so that a fresh database is ready to serve.
    await withKeys(options, async () => {});
    console.log('migrations applied');
  });

program
  .command('gc')
  .description('delete expired and spent codes, tokens and device authorizations once, and print how many')
  .addOption(databaseOption())
  .option('--json', 'print JSON')
  .action(async (options: { database?: string; json?: boolean }) => {
    await withDatabase(options, async (database) => {
      const result = await runGc(database, { dynamicClientTtlSeconds: loadConfig({ database: options.database }).dynamicClientTtlSeconds });
      if (!result.ran) {
        print(options.json === true, { ran: false, reason: result.reason }, `nothing done: ${result.reason}`);
        return;
      }
      const { codes, expiredTokens, revokedTokens, devices } = result.counts;
      print(
        options.json === true,
        { ran: true, deleted: result.counts },
        `deleted ${codes} authorization codes, ${expiredTokens} expired tokens, ${revokedTokens} revoked tokens, ${devices} device authorizations`,
      );
    });
  });

const clients = program.command('clients').description('manage apps (API Key and Secret Key)');

clients
  .command('create')
  .description('register an app')
  .requiredOption('--name <name>', 'app name')
  .requiredOption('--root-domain <domain>', 'root domain its redirect URIs must belong to, e.g. example.com')
  .option('--redirect-uri <uri>', 'an exact redirect URI (repeatable)', collect)
  .option('--grant-types <list>', 'authorization_code,refresh_token,client_credentials,device_code', list)
  .option('--response-types <list>', 'code,token', list)
  .option('--scopes <list>', 'scopes it may request (default basic)', list)
  .option('--public', 'a public app (no Secret Key; PKCE required)')
  .option('--resource-server', 'may introspect any token')
  .option('--admin', 'an admin app: client credentials with the scope gatehouse:admin, for the admin API (/admin/v1)')
  .option('--subject-type <type>', 'the sub of its id_tokens: public (the uid) or pairwise (its getInfo openid)')
  .option('--id-token-alg <alg>', 'id_token signing algorithm: RS256 (default), PS256, ES256 or EdDSA')
  .option('--post-logout-redirect-uri <uri>', 'where RP-initiated logout may send the browser (repeatable)', collect)
  .option('--backchannel-logout-uri <uri>', 'where logout tokens are POSTed (Back-Channel Logout 1.0)')
  .option('--token-endpoint-auth-method <method>', 'the only client authentication accepted: client_secret_basic, client_secret_post, client_secret_jwt, private_key_jwt or none (default: any it has material for)')
  .option('--jwks <json>', 'its public keys for private_key_jwt, a JWK Set as JSON')
  .option('--jwks-uri <url>', 'where it publishes its public keys for private_key_jwt (https)')
  .option('--require-par', 'authorize requests must come through PAR (RFC 9126)')
  // SPEC §8.
  .option('--resource <uri>', 'a resource it may ask for (RFC 8707; repeatable; default any)', collect)
  .option('--access-token-format <format>', 'opaque (default) or jwt (RFC 9068)')
  .option('--require-dpop', 'every token request must carry a DPoP proof (RFC 9449)')
  .option('--refresh-grace <seconds>', 'seconds a used refresh token answers the same pair again (default 0)', parseGraceSeconds)
  .option('--json', 'print JSON')
  .addOption(databaseOption())
  .action(async (options) => {
    await withDatabase(options, async ({ stores }) => {
      const known = new Set((await stores.scopes.listScopes()).map((scope) => scope.name));
      const { app, clientSecret } = await registerApp(
        { audit: stores.audit, clientKeys: clientKeys(loadConfig({ database: options.database })) },
        {
          name: options.name,
          rootDomain: options.rootDomain,
          redirectUris: options.redirectUri,
          grantTypes: options.grantTypes,
          responseTypes: options.responseTypes,
          scopes: options.scopes,
          isPublic: options.public === true,
          isResourceServer: options.resourceServer === true,
          isAdmin: options.admin === true,
          subjectType: options.subjectType,
          idTokenAlg: options.idTokenAlg,
          postLogoutRedirectUris: options.postLogoutRedirectUri,
          backchannelLogoutUri: options.backchannelLogoutUri,
          tokenEndpointAuthMethod: options.tokenEndpointAuthMethod,
          jwks: options.jwks,
          jwksUri: options.jwksUri,
          requirePar: options.requirePar === true,
          resources: options.resource,
          accessTokenFormat: options.accessTokenFormat,
          requireDpop: options.requireDpop === true,
          refreshGrace: options.refreshGrace,
        },
        known,
        cliContext(),
      );
      const value = { ...describeApp(app), ...(clientSecret === undefined ? {} : { client_secret: clientSecret }) };
      print(
        options.json === true,
        value,
        `API Key (client_id):     ${app.clientId}\n` +
          (clientSecret ? `Secret Key (shown once): ${clientSecret}\n` : 'public app: no Secret Key\n') +
          `root domain:             ${app.rootDomain}`,
      );
    });
  });

clients
  .command('list')
  .option('--json', 'print JSON')
  .addOption(databaseOption())
  .action(async (options) => {
    await withDatabase(options, async ({ stores }) => {
      const apps = await stores.apps.listApps();
      if (options.json) console.log(JSON.stringify(apps.map(describeApp)));
      else for (const app of apps) console.log(`${app.clientId}  ${app.disabled ? '(disabled) ' : ''}${app.name}  ${app.rootDomain}`);
    });
  });

clients
  .command('show <client_id>')
  .option('--json', 'print JSON')
  .addOption(databaseOption())
  .action(async (clientId: string, options) => {
    await withDatabase(options, async ({ stores }) => {
      const app = await stores.apps.findApp(clientId);
      if (app === undefined) throw new AppInputError(`no app with client_id ${clientId}`);
      const value = describeApp(app);
      print(options.json === true, value, Object.entries(value).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(' ') : String(v)}`).join('\n'));
    });
  });

clients
  .command('rotate-secret <client_id>')
  .option('--json', 'print JSON')
  .addOption(databaseOption())
  .action(async (clientId: string, options) => {
    await withDatabase(options, async ({ stores }) => {
      const keys = clientKeys(loadConfig({ database: options.database }));
      const clientSecret = await rotateSecret({ audit: stores.audit, apps: stores.apps, clientKeys: keys }, clientId, cliContext());
      print(options.json === true, { client_id: clientId, client_secret: clientSecret }, `new Secret Key (shown once): ${clientSecret}`);
    });
  });

for (const [command, disabled] of [
  ['disable', true],
  ['enable', false],
] as const) {
  clients
    .command(`${command} <client_id>`)
    .addOption(databaseOption())
    .action(async (clientId: string, options) => {
      await withDatabase(options, async ({ stores }) => {
        await setAppDisabled(stores, clientId, disabled, cliContext());
        console.log(`app ${clientId} ${command}d`);
      });
    });
}

program
  .command('users')
  .description('manage platform users')
  .command('create')
  .requiredOption('--username <username>')
  .requiredOption('--password <password>')
  .option('--email <address>', 'the address apps granted the email scope may read')
  .option('--name <name>', 'the display name apps granted the profile scope may read')
  .option('--email-verified', 'the platform has checked the address (the email_verified claim)')
  .option('--json', 'print JSON')
  .addOption(databaseOption())
  .action(async (options) => {
    await withDatabase(options, async ({ stores }) => {
      const input = { username: options.username, password: options.password, email: options.email, name: options.name, emailVerified: options.emailVerified === true };
      const user = await createAccount(stores, input, cliContext());
      const value = { uid: user.uid, username: user.username, email: user.email ?? null, name: user.name ?? null, email_verified: user.emailVerified };
      print(options.json === true, value, `user ${user.username} created, uid ${user.uid}`);
    });
  });

program
  .command('scopes')
  .description('manage scopes')
  .command('create')
  .requiredOption('--name <name>')
  .option('--description <text>', 'what the scope lets an app do, as a person reads it', '')
  .addOption(databaseOption())
  .action(async (options) => {
    await withDatabase(options, async ({ stores }) => {
      const existed = (await stores.scopes.listScopes()).some((scope) => scope.name === options.name);
      await saveScope(stores, { name: options.name, description: options.description }, existed, cliContext());
      console.log(`scope ${options.name} saved`);
    });
  });

program
  .command('audit')
  .description('print the audit trail, newest first')
  .option('--limit <n>', 'how many events (1 to 10000, default 50)', '50')
  .option('--json', 'print JSON (one array)')
  .addOption(databaseOption())
  .action(async (options: { limit: string; json?: boolean; database?: string }) => {
    const limit = Number(options.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new AppInputError(`--limit must be a whole number from 1 to 10000, got ${JSON.stringify(options.limit)}`);
    await withDatabase(options, async ({ stores }) => {
      const events = (await stores.audit.listEvents({ limit })).map(describeEvent);
      if (options.json) console.log(JSON.stringify(events));
      else {
        for (const event of events) {
          console.log(`${event.at}  ${event.actor.type}:${event.actor.id}  ${event.action}  ${event.target.type}:${event.target.id}${event.address ? `  from ${event.address}` : ''}`);
        }
      }
    });
  });

// --- Apps that register themselves (SPEC §9) ---
const registrationTokens = program.command('registration-tokens').description('initial access tokens for dynamic registration (GATEHOUSE_REGISTRATION=token)');

registrationTokens
  .command('create')
  .description('make an initial access token: an app presents it as Authorization: Bearer to POST /oauth/2.0/register')
  .option('--uses <n>', 'how many registrations it admits', String(INITIAL_ACCESS_TOKEN_DEFAULTS.uses))
  .option('--expires <seconds>', 'how long it lives', String(INITIAL_ACCESS_TOKEN_DEFAULTS.expiresSeconds))
  .option('--json', 'print JSON')
  .addOption(databaseOption())
  .action(async (options: { uses: string; expires: string; json?: boolean; database?: string }) => {
    const uses = Number(options.uses);
    const expiresSeconds = Number(options.expires);
    if (!Number.isInteger(uses) || uses < 1) throw new AppInputError(`--uses must be a whole number of 1 or more, got ${JSON.stringify(options.uses)}`);
    if (!Number.isInteger(expiresSeconds) || expiresSeconds < 1) throw new AppInputError(`--expires must be a whole number of seconds of 1 or more, got ${JSON.stringify(options.expires)}`);
    await withDatabase(options, async ({ stores }) => {
      const made = await createInitialAccessToken(stores.registrationTokens, { uses, expiresSeconds, now: Date.now() });
      // expires_at in Unix seconds, as RFC 7591's own times (client_id_issued_at, client_secret_expires_at).
      const expiresAt = Math.floor(made.expiresAt / 1000);
      print(options.json === true, { token: made.token, uses: made.uses, expires_at: expiresAt }, `${made.token}\n(${made.uses} use${made.uses === 1 ? '' : 's'}, expires ${new Date(made.expiresAt).toISOString()})`);
    });
  });

const keys = program.command('keys').description('manage the signing keys (id_tokens, JWKS)');

keys
  .command('list')
  .description('the published keys: next, current and previous')
  .option('--json', 'print JSON: [{kid, alg, state, created_at}]')
  .addOption(databaseOption())
  .action(async (options: { database?: string; json?: boolean }) => {
    await withKeys(options, async (manager) => {
      const list = await manager.list();
      if (options.json === true) console.log(JSON.stringify(list.map(describeKey)));
      else for (const key of list) console.log(keyLine(key));
    });
  });

keys
  .command('rotate')
  .description('make a next key, published at once, current after GATEHOUSE_KEY_PROPAGATION_SECONDS (or at once)')
  .option('--alg <alg>', `one of ${JWS_ALGS.join(', ')} (default: every algorithm that has a current key)`)
  .option('--activate-now', 'make the new key current at once')
  .option('--json', 'print JSON: the new keys, [{kid, alg, state, created_at, activates_at}]')
  .addOption(databaseOption())
  .action(async (options: { database?: string; alg?: string; activateNow?: boolean; json?: boolean }) => {
    if (options.alg !== undefined && !isJwsAlg(options.alg)) throw new SigningKeyError(`--alg must be one of ${JWS_ALGS.join(', ')}, got ${JSON.stringify(options.alg)}`);
    const alg = options.alg;
    await withKeys(options, async (manager, audit) => {
      const made = await rotateKeys(manager, audit, { ...(alg === undefined ? {} : { alg }), activateNow: options.activateNow === true }, cliContext());
      if (options.json === true) console.log(JSON.stringify(made.map(keyJson)));
      else for (const key of made) console.log(`new ${key.alg} key ${key.kid}: ${key.state === 'current' ? 'current now' : `next, current from ${new Date(key.activatesAt).toISOString()}`}`);
    });
  });

keys
  .command('retire <kid>')
  .description('remove a previous key from the JWKS now (tokens it signed stop verifying); a kid that starts with - goes after --: keys retire -- -AbC…')
  .addOption(databaseOption())
  .action(async (kid: string, options: { database?: string }) => {
    await withKeys(options, async (manager, audit) => {
      const key = await retireKey(manager, audit, kid, cliContext());
      console.log(`${key.alg} key ${key.kid} retired: no longer published`);
    });
  });

program.parseAsync().catch((error: unknown) => {
  if (error instanceof AppInputError || error instanceof AccountInputError || error instanceof ScopeInputError || error instanceof ConfigError) {
    console.error(`gatehouse: ${error.message}`);
  } else {
    console.error(`gatehouse: ${(error as Error).message ?? String(error)}`);
  }
  process.exit(1);
});
