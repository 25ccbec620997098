/**
 * Opens the database named by a URL (`sqlite:PATH`, `postgres://…`), applies
 * pending migrations and builds the stores. The only place that knows which
 * dialect is in use.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type { Stores } from '../../core/ports.js';
import { CachedAppStore } from '../cached-apps.js';
import { migrateToLatest } from './migrate.js';
import type { Database } from './schema.js';
import { SqliteCodeStore } from './sqlite-codes.js';
import { preparingOnce } from './statement-cache.js';
import { SqliteConsentStore, SqliteUserStore } from './sqlite-reads.js';
import { SqliteTokenStore } from './sqlite-tokens.js';
import { SqliteTurnWriter } from './sqlite-turn-writer.js';
import { SqlAppStore, SqlCodeStore, SqlConsentStore, SqlScopeStore, SqlUserStore } from './stores.js';
import { PgTokenStore } from './pg-tokens.js';
import { SqlDeviceStore } from './devices.js';
import { SqlAuditStore } from './audit.js';
import { SqliteReplayCache, SqlReplayCache } from './replays.js';
import type { Change } from '../../core/audit.js';
import { SqlLogoutOutbox, SqlSessionAppStore } from './logout.js';
import { SqlInitialAccessTokenStore } from './registration-tokens.js';
import { SqlPushedRequestStore } from './pushed-requests.js';

export interface OpenedDatabase {
  dialect: 'sqlite' | 'postgres';
  db: Kysely<Database>;
  stores: Stores;
  /** A cheap query for readiness checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  /** PostgreSQL pool size. */
  poolSize?: number;
  /** How long a cached app may be served after another instance changed it. */
  appCacheTtlMs?: number;
}


/** This instance's app cache forgets an app the moment a change to it commits. */
function forgetChangedApp(apps: CachedAppStore, change: Change): void {
  if (change.kind === 'createApp') apps.forget(change.app.clientId);
  else if (change.kind === 'updateApp' || change.kind === 'deleteApp') apps.forget(change.clientId);
}

export async function openDatabase(url: string, options: OpenOptions = {}): Promise<OpenedDatabase> {
  // pg is loaded only for PostgreSQL: a SQLite server does not carry it in memory (~15 MB of RSS).
  const opened = url.startsWith('postgres://') || url.startsWith('postgresql://') ? openPostgres((await import('pg')).default, url, options) : openSqlite(url);
  if (options.migrate !== false) {
    try {
      await migrateToLatest(opened.db);
    } catch (error) {
      await opened.close();
      throw error;
    }
  }
  return opened;
}

function sqlitePath(url: string): string {
  if (!url.startsWith('sqlite:')) throw new Error(`unsupported database URL ${JSON.stringify(url)}: use sqlite:PATH or postgres://…`);
  const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
  if (path === '') throw new Error('sqlite: URL has no path');
  return path;
}

function openSqlite(url: string): OpenedDatabase {
  const path = sqlitePath(url);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const raw = new BetterSqlite3(path);
  // WAL + NORMAL: a commit is in the WAL before the response, so it survives a process crash.
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: preparingOnce(raw) }) });
  const dataVersion = raw.prepare<[], { data_version: number }>('PRAGMA data_version');
  let seenVersion = -1;
  // PRAGMA data_version costs a statement step: ask once per event-loop turn, not per
  // request (a burst of token requests shares one answer; a CLI change is seen next turn).
  let checkedThisTurn = false;
  const endTurn = () => {
    checkedThisTurn = false;
  };
  const changedElsewhere = (): boolean => {
    if (checkedThisTurn) return false;
    checkedThisTurn = true;
    setImmediate(endTurn);
    const version = dataVersion.get()!.data_version;
    const changed = version !== seenVersion;
    seenVersion = version;
    return changed;
  };
  let tokens: SqliteTokenStore | undefined;
  let codes: SqliteCodeStore | undefined;
  let users: SqliteUserStore | undefined;
  let consents: SqliteConsentStore | undefined;
  let replays: SqliteReplayCache | undefined;
  // One write transaction per event-loop turn, shared by the token and code stores.
  let writer: SqliteTurnWriter | undefined;
  const apps = new CachedAppStore(new SqlAppStore(db), { ttlMs: 60_000, changedElsewhere });
  const audit = new SqlAuditStore(db, {
    sqlite: { raw, writer: () => (writer ??= new SqliteTurnWriter(raw)) },
    committed: (change) => forgetChangedApp(apps, change),
  });
  const stores: Stores = {
    apps,
    // Built on first use, like tokens: prepared statements need the migrated tables.
    get users() {
      users ??= new SqliteUserStore(db, raw);
      return users;
    },
    scopes: new SqlScopeStore(db),
    get consents() {
      consents ??= new SqliteConsentStore(db, raw);
      return consents;
    },
    // Built on first use, like tokens: prepared statements need the migrated table.
    get codes() {
      codes ??= new SqliteCodeStore(raw, (writer ??= new SqliteTurnWriter(raw)));
      return codes;
    },
    devices: new SqlDeviceStore(db),
    sessionApps: new SqlSessionAppStore(db),
    logouts: new SqlLogoutOutbox(db),
    get replays() {
      replays ??= new SqliteReplayCache(db, raw, (writer ??= new SqliteTurnWriter(raw)));
      return replays;
    },
    registrationTokens: new SqlInitialAccessTokenStore(db),
    pushedRequests: new SqlPushedRequestStore(db),
    // Built on first use: the tokens table exists only once migrations ran.
    get tokens() {
      tokens ??= new SqliteTokenStore(raw, (writer ??= new SqliteTurnWriter(raw)));
      return tokens;
    },
    audit,
  };
  return {
    dialect: 'sqlite',
    db,
    stores,
    ping: async () => {
      raw.prepare('SELECT 1').get();
    },
    close: async () => {
      await db.destroy();
    },
  };
}

function openPostgres(pg: typeof import('pg').default, url: string, options: OpenOptions): OpenedDatabase {
  // Our BIGINTs (ids, milliseconds) are all below 2^53: read them as numbers.
  pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
  // An idle client's error (database restarted) must not crash the process.
  pool.on('error', () => {});
  // A checked-out client whose socket dies (database restarted, network cut) emits 'error'
  // with no pool listener attached: unhandled, that kills the process. The query in flight
  // rejects with the same error (answered 503) and pg-pool drops the broken client on release.
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const apps = new CachedAppStore(new SqlAppStore(db), { ttlMs: options.appCacheTtlMs ?? 1_000 });
  const tokens = new PgTokenStore(db, pool);
  const stores: Stores = {
    apps,
    users: new SqlUserStore(db),
    scopes: new SqlScopeStore(db),
    consents: new SqlConsentStore(db),
    codes: new SqlCodeStore(db),
    tokens,
    devices: new SqlDeviceStore(db),
    audit: new SqlAuditStore(db, { committed: (change) => forgetChangedApp(apps, change), beforeRevoke: () => tokens.flushPending() }),
    sessionApps: new SqlSessionAppStore(db),
    logouts: new SqlLogoutOutbox(db),
    replays: new SqlReplayCache(db),
    registrationTokens: new SqlInitialAccessTokenStore(db),
    pushedRequests: new SqlPushedRequestStore(db),
  };
  return {
    dialect: 'postgres',
    db,
    stores,
    ping: async () => {
      await pool.query('SELECT 1');
    },
    close: async () => {
      await db.destroy();
    },
  };
}
