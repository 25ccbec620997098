/**
 * The keys an app publishes at its jwks_uri (RFC 7591 §2, RFC 7523 §3),
 * fetched through the SSRF-safe fetcher (storage/outbound/fetch.ts: no
 * loopback, private or link-local address unless GATEHOUSE_ALLOW_PRIVATE_FETCH=1,
 * one deadline for the whole exchange, a size cap) and kept for a while:
 *
 * - a fresh set is served from the cache (Cache-Control max-age, bounded
 *   to 1 minute … 1 day, 5 minutes without one);
 * - an assertion whose kid the cached set lacks asks for a refetch, granted
 *   at most once a minute per app, so a stream of made-up kids cannot turn
 *   Gatehouse into a request generator against the app's server;
 * - redirects are not followed: a jwks_uri answers 200 itself;
 * - concurrent requests for the same set share one fetch.
 *
 * A set that cannot be had throws with the reason (for the log and the
 * console); the caller answers invalid_client.
 */
import type { ClientJwks } from '../../core/model.js';
import { outboundFetch, type OutboundPolicy } from '../outbound/fetch.js';
import { publicKeysOnly } from './public-keys.js';

export interface RemoteJwksOptions extends OutboundPolicy {
  /** The whole fetch (ms, default 5000). */
  timeoutMs?: number;
  /** Body bytes accepted (default 64 KiB). */
  maxBytes?: number;
  /** Milliseconds since the epoch (tests move it). */
  now?: () => number;
}

const MINUTE = 60_000;
const DEFAULT_TTL = 5 * MINUTE;
const MAX_TTL = 24 * 60 * MINUTE;
const MIN_REFETCH = MINUTE;

interface Entry {
  jwks: ClientJwks;
  fetchedAt: number;
  ttl: number;
}

function ttlOf(cacheControl: string | undefined): number {
  const match = /(?:^|,)\s*max-age\s*=\s*(\d+)/i.exec(cacheControl ?? '');
  if (!match || /no-store|no-cache/i.test(cacheControl ?? '')) return DEFAULT_TTL;
  return Math.min(MAX_TTL, Math.max(MINUTE, Number(match[1]) * 1000));
}

export class RemoteJwks {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<Entry>>();
  private readonly now: () => number;

  constructor(private readonly options: RemoteJwksOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The set `uri` serves for `clientId`; `refresh` when a kid was not found in it. */
  async get(clientId: string, uri: string, refresh: boolean): Promise<ClientJwks> {
    const key = `${clientId} ${uri}`;
    const entry = this.entries.get(key);
    const age = entry === undefined ? Infinity : this.now() - entry.fetchedAt;
    if (entry !== undefined && (refresh ? age < MIN_REFETCH : age < entry.ttl)) return entry.jwks;
    return (await this.fetchShared(key, uri)).jwks;
  }

  private fetchShared(key: string, uri: string): Promise<Entry> {
    let pending = this.inflight.get(key);
    if (pending === undefined) {
      pending = this.fetch(uri).then((entry) => {
        this.entries.set(key, entry);
        return entry;
      });
      pending.finally(() => this.inflight.delete(key)).catch(() => {});
      this.inflight.set(key, pending);
    }
    return pending;
  }

  private async fetch(uri: string): Promise<Entry> {
    const fetchedAt = this.now();
    const response = await outboundFetch(
      uri,
      { headers: { accept: 'application/jwk-set+json, application/json' }, timeoutMs: this.options.timeoutMs ?? 5_000, maxBytes: this.options.maxBytes ?? 64 * 1024 },
      { allowPrivate: this.options.allowPrivate },
    );
    if (response.status !== 200) throw new Error(`jwks_uri answered ${response.status}, not 200 (redirects are not followed)`);
    if (response.truncated) throw new Error(`jwks_uri answered more than ${this.options.maxBytes ?? 64 * 1024} bytes`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(response.body.toString('utf8'));
    } catch {
      throw new Error('jwks_uri did not answer JSON');
    }
    const cacheControl = response.headers['cache-control'];
    return { jwks: publicKeysOnly(parsed), fetchedAt, ttl: ttlOf(Array.isArray(cacheControl) ? cacheControl[0] : cacheControl) };
  }
}
