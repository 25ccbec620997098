/**
 * Client ID Metadata Documents (OAuth Client ID Metadata Document draft,
 * SPEC §9, GATEHOUSE_CLIENT_METADATA_DOCUMENTS=1): a `client_id` that is an
 * https URL names a JSON document of client metadata, fetched under the rules
 * of every outbound URL (fetch.ts: never loopback, private or link-local
 * addresses, also after redirects and whatever DNS answers; 5 s for the whole
 * fetch; 64 KiB). The document's rules:
 * - its `client_id` equals the URL, exactly;
 * - its `redirect_uris` are the app's exact list (the usual rules of §2/§9);
 * - `token_endpoint_auth_method` is `none` (the default) or `private_key_jwt`,
 *   and it carries no `client_secret` (a published document cannot keep one).
 * A good document is cached as its Cache-Control says (max-age, s-maxage;
 * no-store and no-cache: not at all), for at most a day. A fetch that fails or
 * a document that breaks a rule throws MetadataDocumentError, whose message
 * says why (it becomes the error page's description).
 *
 * The apps it makes are never stored: MetadataDocumentApps answers them in
 * front of the real app store.
 */
import { APP_DEFAULTS, type App } from '../../core/model.js';
import type { AppStore } from '../../core/ports.js';
import { oauthError, OAuthError } from '../../core/errors.js';
import { checkMetadata, type MetadataPolicy } from '../../core/registration-metadata.js';
import { validateAppInput } from '../../core/apps.js';
import { OutboundRefused, outboundFetch, type OutboundPolicy } from './fetch.js';

export const MAX_CACHE_SECONDS = 86_400;
const MAX_ENTRIES = 1_000;
const MAX_REDIRECTS = 3;

export class MetadataDocumentError extends Error {}

export interface MetadataDocumentOptions {
  outbound: OutboundPolicy;
  redirects: MetadataPolicy;
  knownScopes(): Promise<ReadonlySet<string>>;
  /** The whole fetch (default 5000 ms, SPEC §9). */
  timeoutMs?: number;
  now?: () => number;
}

/** Whether `clientId` names a document: an https URL with a path (plain http to loopback only in labs, as every fetch). */
export function isMetadataDocumentId(clientId: string, outbound: OutboundPolicy): boolean {
  if (!clientId.startsWith('https://') && !(outbound.allowPrivate && clientId.startsWith('http://'))) return false;
  try {
    const url = new URL(clientId);
    return url.pathname !== '/' && url.hash === '' && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

/** Seconds the answer may be reused (RFC 9111 §5.2.2), capped at a day; 0 when it may not be. */
export function cacheSeconds(cacheControl: string | undefined): number {
  const directives = (cacheControl ?? '').toLowerCase().split(',').map((part) => part.trim());
  if (directives.some((directive) => directive === 'no-store' || directive === 'no-cache' || directive === 'private')) return 0;
  let seconds = 0;
  for (const directive of directives) {
    const match = /^(?:s-maxage|max-age)=(\d+)$/.exec(directive);
    if (match) seconds = Math.max(seconds, Number(match[1]));
  }
  return Math.min(seconds, MAX_CACHE_SECONDS);
}

export class MetadataDocumentResolver {
  private readonly cache = new Map<string, { app: App; until: number }>();
  private readonly inFlight = new Map<string, Promise<App>>();

  constructor(private readonly options: MetadataDocumentOptions) {}

  /** The app the document at `clientId` describes, or MetadataDocumentError saying why there is none. */
  async resolve(clientId: string): Promise<App> {
    const now = (this.options.now ?? Date.now)();
    const hit = this.cache.get(clientId);
    if (hit !== undefined && hit.until > now) return hit.app;
    // Requests for one document at once share one fetch.
    const pending = this.inFlight.get(clientId) ?? this.fetchApp(clientId, now).finally(() => this.inFlight.delete(clientId));
    this.inFlight.set(clientId, pending);
    return pending;
  }

  private async fetchApp(clientId: string, now: number): Promise<App> {
    let text: string;
    let maxAge: number;
    try {
      const response = await outboundFetch(
        clientId,
        { headers: { accept: 'application/json' }, timeoutMs: this.options.timeoutMs ?? 5_000, maxRedirects: MAX_REDIRECTS },
        this.options.outbound,
      );
      if (response.status !== 200) throw new MetadataDocumentError(`fetching the client metadata document answered HTTP ${response.status}`);
      if (response.truncated) throw new MetadataDocumentError('the client metadata document is larger than 64 KiB');
      text = response.body.toString('utf8');
      maxAge = cacheSeconds(response.headers['cache-control']);
    } catch (error) {
      if (error instanceof MetadataDocumentError) throw error;
      if (error instanceof OutboundRefused) throw new MetadataDocumentError(`the client metadata document may not be fetched: ${error.message}`);
      throw new MetadataDocumentError(`fetching the client metadata document failed: ${(error as Error).message}`);
    }
    const app = await this.appOf(clientId, text, now);
    if (maxAge > 0) {
      if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
      this.cache.set(clientId, { app, until: now + maxAge * 1000 });
    }
    return app;
  }

  private async appOf(clientId: string, text: string, now: number): Promise<App> {
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch {
      throw new MetadataDocumentError('the client metadata document is not JSON');
    }
    if (typeof document !== 'object' || document === null || Array.isArray(document)) throw new MetadataDocumentError('the client metadata document is not a JSON object');
    const body = document as Record<string, unknown>;
    if (body['client_id'] !== clientId) throw new MetadataDocumentError(`the document's client_id ${JSON.stringify(body['client_id'])} is not its URL ${clientId}`);
    if ('client_secret' in body || 'client_secret_expires_at' in body) throw new MetadataDocumentError('a client metadata document must not carry a client_secret');
    const method = body['token_endpoint_auth_method'] ?? 'none';
    if (method !== 'none' && method !== 'private_key_jwt') {
      throw new MetadataDocumentError(`the document's token_endpoint_auth_method must be none or private_key_jwt, not ${JSON.stringify(method)}`);
    }
    if (!Array.isArray(body['redirect_uris']) || body['redirect_uris'].length === 0) throw new MetadataDocumentError('the document lists no redirect_uris');
    let fields;
    try {
      const known = await this.options.knownScopes();
      const checked = checkMetadata({ ...body, token_endpoint_auth_method: method }, this.options.redirects, known);
      fields = validateAppInput({ ...checked.input, isPublic: method === 'none' }, known);
    } catch (error) {
      if (error instanceof OAuthError) throw new MetadataDocumentError(`the client metadata document is invalid: ${error.description}`);
      throw error;
    }
    return {
      ...APP_DEFAULTS,
      ...fields,
      clientId,
      secretHash: null,
      disabled: false,
      createdAt: now,
      sealedSecret: null,
      registration: 'metadata-document',
    };
  }
}

/**
 * The app store as the protocol sees it with metadata documents on: a
 * document URL is answered from its document (never stored), anything else
 * by the real store. A document that cannot be used is `invalid_client` with
 * its reason (SPEC §9: on the error page at authorize, as JSON elsewhere).
 */
export class MetadataDocumentApps implements AppStore {
  constructor(
    private readonly inner: AppStore,
    private readonly resolver: MetadataDocumentResolver,
    private readonly outbound: OutboundPolicy,
  ) {}

  async findApp(clientId: string): Promise<App | undefined> {
    if (!isMetadataDocumentId(clientId, this.outbound)) return this.inner.findApp(clientId);
    try {
      return await this.resolver.resolve(clientId);
    } catch (error) {
      if (error instanceof MetadataDocumentError) throw oauthError('invalid_client', error.message);
      throw error;
    }
  }

  createApp(app: App): Promise<void> {
    return this.inner.createApp(app);
  }

  updateApp(clientId: string, patch: Parameters<AppStore['updateApp']>[1]): Promise<boolean> {
    return this.inner.updateApp(clientId, patch);
  }

  listApps(filter?: Parameters<AppStore['listApps']>[0]): Promise<App[]> {
    return this.inner.listApps(filter);
  }
}
