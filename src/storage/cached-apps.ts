/**
 * Apps are read on every token request and change rarely: keep them in
 * memory. An entry lives `ttlMs` at most (other instances' changes), and the
 * whole cache is dropped when `changedElsewhere()` says the database moved
 * (SQLite's data_version: another connection, e.g. the CLI, committed).
 * Writes through this instance invalidate at once.
 */
import type { App } from '../core/model.js';
import type { AppStore } from '../core/ports.js';

export class CachedAppStore implements AppStore {
  private readonly entries = new Map<string, { app: App | undefined; until: number }>();

  constructor(
    private readonly inner: AppStore,
    private readonly options: { ttlMs: number; changedElsewhere?: () => boolean; maxEntries?: number },
  ) {}

  async findApp(clientId: string): Promise<App | undefined> {
    if (this.options.changedElsewhere?.()) this.entries.clear();
    const now = Date.now();
    const hit = this.entries.get(clientId);
    if (hit !== undefined && hit.until > now) return hit.app;
    const app = await this.inner.findApp(clientId);
    // Unknown ids are cached too (briefly), so a flood of bad client_ids costs no queries,
    // but the map stays bounded.
    if (this.entries.size >= (this.options.maxEntries ?? 10_000)) this.entries.clear();
    this.entries.set(clientId, { app, until: now + this.options.ttlMs });
    return app;
  }

  async createApp(app: App): Promise<void> {
    await this.inner.createApp(app);
    this.entries.delete(app.clientId);
  }

  async updateApp(clientId: string, patch: Partial<Omit<App, 'clientId' | 'createdAt'>>): Promise<boolean> {
    const changed = await this.inner.updateApp(clientId, patch);
    this.entries.delete(clientId);
    return changed;
  }

  /** Drops one app's entry (a change committed elsewhere than through this wrapper: the audited unit of work). */
  forget(clientId: string): void {
    this.entries.delete(clientId);
  }

  listApps(filter?: Parameters<AppStore['listApps']>[0]): Promise<App[]> {
    return this.inner.listApps(filter);
  }
}
