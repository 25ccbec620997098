/**
 * Configuration: command-line flags over environment variables over defaults,
 * read once, validated, frozen. Nothing else reads process.env.
 */
import { DEFAULT_LIFETIMES, type Lifetimes } from './core/model.js';

/** SPEC §5: without --database or GATEHOUSE_DATABASE_URL, a SQLite file beside the working directory. */
export const DEFAULT_DATABASE_URL = 'sqlite:./data/gatehouse.db';

export interface Config {
  databaseUrl: string;
  host: string;
  port: number;
  /** The server's public origin, no trailing slash: error_uri, oob and metadata are built from it. */
  issuer: string;
  lifetimes: Lifetimes;
  /** GATEHOUSE_ALLOW_HTTP_REDIRECTS=1: plain http redirect URIs on any host (root-domain rule still holds). */
  allowHttpRedirects: boolean;
  /** GATEHOUSE_ALLOW_SIGNUP=1: anyone may create an account on the sign-in page. */
  allowSignup: boolean;
  redisUrl: string | undefined;
  /** GATEHOUSE_REDIS_PREFIX: the prefix of Gatehouse's Redis keys (default `gatehouse:rl:`), for a Redis shared with others. */
  redisPrefix: string;
  /** GATEHOUSE_COOKIE_SECRET: signs session and CSRF cookies; else a key kept in the database. */
  cookieSecret: string | undefined;
  /** Cookies get `Secure` when the issuer is https. */
  secureCookies: boolean;
  poolSize: number;
  /**
   * GATEHOUSE_TRUST_PROXY: whose X-Forwarded-For to believe, so rate limits
   * see the client's address behind a load balancer. Off by default (a client
   * could forge the header); `1`/`true` trusts any peer, anything else is a
   * comma-separated list of the proxies' addresses or CIDRs (the safe choice:
   * e.g. `127.0.0.1` for an nginx on the same machine).
   */
  trustProxy: boolean | string;
  /** GATEHOUSE_GC_INTERVAL: seconds between runs of the cleanup job (default 300). */
  gcIntervalSeconds: number;
  logLevel: string;
  /**
   * GATEHOUSE_KEYS_SECRET (32 characters or more): the private signing keys are stored
   * encrypted under a key derived from it (SPEC §7); unset, they are stored in clear.
   */
  keysSecret: string | undefined;
  /** GATEHOUSE_KEY_PROPAGATION_SECONDS: how long a rotated-in key is published before it signs (default 900; 0 = at once). */
  keyPropagationSeconds: number;
  /**
   * GATEHOUSE_ALLOW_PRIVATE_FETCH=1: outbound fetches (back-channel logout, later jwks_uri and
   * client metadata documents) may go to loopback, private and link-local addresses, and plain
   * http to a loopback host (SPEC §9; tests and labs only).
   */
  allowPrivateFetch: boolean;
  /** GATEHOUSE_DPOP_NONCE=1: every DPoP proof must carry a nonce the server gave (RFC 9449 §8, SPEC §8). */
  dpopNonce: boolean;
  // --- Apps that register themselves (SPEC §9) ---
  /** GATEHOUSE_REGISTRATION: `off` (default), `token` (an initial access token is needed) or `open` (RFC 7591 §3). */
  registration: RegistrationMode;
  /** GATEHOUSE_REGISTRATION_RATE: registrations per client address per hour (default 20). */
  registrationRate: number;
  /** GATEHOUSE_DYNAMIC_CLIENT_TTL: seconds a self-registered app may go without issuing a token before the cleanup job deletes it (default 2592000). */
  dynamicClientTtlSeconds: number;
  /** GATEHOUSE_CLIENT_METADATA_DOCUMENTS=1: an https client_id names its metadata document (SPEC §9). */
  clientMetadataDocuments: boolean;
  /** GATEHOUSE_OPERATORS: comma-separated usernames who see /console/self-registered and may disable those apps. */
  operators: string[];
  /** GATEHOUSE_PAR_TTL: seconds a pushed authorization request's request_uri lives (RFC 9126 §2.2, default 60). */
  parTtlSeconds: number;
  /** GATEHOUSE_HEAP_GROWING_PERCENT: V8's old-generation growth, fixed (src/heap-growth.ts); unset: V8's own. */
  heapGrowingPercent: number | undefined;
}

export const REGISTRATION_MODES = ['off', 'token', 'open'] as const;
export type RegistrationMode = (typeof REGISTRATION_MODES)[number];

function registrationMode(raw: string | undefined): RegistrationMode {
  if (raw === undefined || raw === '') return 'off';
  if (!(REGISTRATION_MODES as readonly string[]).includes(raw)) throw new ConfigError(`GATEHOUSE_REGISTRATION must be off, token or open, got ${JSON.stringify(raw)}`);
  return raw as RegistrationMode;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function positiveInt(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new ConfigError(`${name} must be a positive whole number of seconds, got ${JSON.stringify(raw)}`);
  return value;
}

function heapGrowingPercent(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 300) throw new ConfigError(`GATEHOUSE_HEAP_GROWING_PERCENT must be a whole number from 1 to 300 (percent), got ${JSON.stringify(raw)}`);
  return value;
}

function nonNegativeInt(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new ConfigError(`${name} must be a whole number of seconds (0 or more), got ${JSON.stringify(raw)}`);
  return value;
}

function keysSecret(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  // Never echo the value: it is a secret even when it is too short.
  if (raw.length < 32) throw new ConfigError(`GATEHOUSE_KEYS_SECRET must be at least 32 characters long, got ${raw.length}`);
  return raw;
}

function trustProxy(raw: string | undefined): boolean | string {
  if (raw === undefined || raw === '' || raw === '0' || raw === 'false' || raw === 'no') return false;
  return isOn(raw) ? true : raw;
}

function isOn(value: string | undefined): boolean {
  return value === '1' || value === 'true' || value === 'yes';
}

export interface ConfigFlags {
  database?: string;
  host?: string;
  port?: string | number;
  issuer?: string;
}

export function loadConfig(flags: ConfigFlags = {}, env: Env = process.env): Readonly<Config> {
  const host = flags.host ?? env['GATEHOUSE_HOST'] ?? '127.0.0.1';
  const rawPort = flags.port ?? env['GATEHOUSE_PORT'] ?? 8080;
  const port = Number(rawPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`port must be 0-65535, got ${JSON.stringify(rawPort)}`);
  const hostForUrl = host.includes(':') ? `[${host}]` : host;
  const issuer = (flags.issuer ?? env['GATEHOUSE_ISSUER'] ?? `http://${hostForUrl}:${port}`).replace(/\/+$/, '');
  try {
    const url = new URL(issuer);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw new ConfigError(`issuer must be an http(s) URL, got ${JSON.stringify(issuer)}`);
  }
  const config: Config = {
    databaseUrl: flags.database ?? env['GATEHOUSE_DATABASE_URL'] ?? DEFAULT_DATABASE_URL,
    host,
    port,
    issuer,
    lifetimes: {
      authorizationCode: positiveInt(env, 'GATEHOUSE_AUTH_CODE_TTL', DEFAULT_LIFETIMES.authorizationCode),
      accessToken: positiveInt(env, 'GATEHOUSE_ACCESS_TOKEN_TTL', DEFAULT_LIFETIMES.accessToken),
      refreshToken: positiveInt(env, 'GATEHOUSE_REFRESH_TOKEN_TTL', DEFAULT_LIFETIMES.refreshToken),
      deviceCode: positiveInt(env, 'GATEHOUSE_DEVICE_CODE_TTL', DEFAULT_LIFETIMES.deviceCode),
      devicePollInterval: positiveInt(env, 'GATEHOUSE_DEVICE_POLL_INTERVAL', DEFAULT_LIFETIMES.devicePollInterval),
      idToken: positiveInt(env, 'GATEHOUSE_ID_TOKEN_TTL', DEFAULT_LIFETIMES.idToken),
    },
    allowHttpRedirects: isOn(env['GATEHOUSE_ALLOW_HTTP_REDIRECTS']),
    allowSignup: isOn(env['GATEHOUSE_ALLOW_SIGNUP']),
    redisUrl: env['GATEHOUSE_REDIS_URL'] || undefined,
    redisPrefix: env['GATEHOUSE_REDIS_PREFIX'] || 'gatehouse:rl:',
    cookieSecret: env['GATEHOUSE_COOKIE_SECRET'] || undefined,
    secureCookies: issuer.startsWith('https:'),
    poolSize: positiveInt(env, 'GATEHOUSE_DB_POOL_SIZE', 10),
    trustProxy: trustProxy(env['GATEHOUSE_TRUST_PROXY']),
    gcIntervalSeconds: positiveInt(env, 'GATEHOUSE_GC_INTERVAL', 300),
    logLevel: env['GATEHOUSE_LOG_LEVEL'] ?? 'info',
    keysSecret: keysSecret(env['GATEHOUSE_KEYS_SECRET']),
    keyPropagationSeconds: nonNegativeInt(env, 'GATEHOUSE_KEY_PROPAGATION_SECONDS', 900),
    allowPrivateFetch: isOn(env['GATEHOUSE_ALLOW_PRIVATE_FETCH']),
    dpopNonce: isOn(env['GATEHOUSE_DPOP_NONCE']),
    registration: registrationMode(env['GATEHOUSE_REGISTRATION']),
    registrationRate: positiveInt(env, 'GATEHOUSE_REGISTRATION_RATE', 20),
    dynamicClientTtlSeconds: positiveInt(env, 'GATEHOUSE_DYNAMIC_CLIENT_TTL', 2_592_000),
    clientMetadataDocuments: isOn(env['GATEHOUSE_CLIENT_METADATA_DOCUMENTS']),
    operators: (env['GATEHOUSE_OPERATORS'] ?? '').split(',').map((name) => name.trim()).filter((name) => name !== ''),
    parTtlSeconds: positiveInt(env, 'GATEHOUSE_PAR_TTL', 60),
    heapGrowingPercent: heapGrowingPercent(env['GATEHOUSE_HEAP_GROWING_PERCENT']),
  };
  return Object.freeze(config);
}
