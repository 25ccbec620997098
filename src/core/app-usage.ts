/**
 * When a self-registered app last issued a token (SPEC §9: the cleanup job
 * deletes one that issued none for GATEHOUSE_DYNAMIC_CLIENT_TTL). The token
 * path is the hottest there is (PERFORMANCE-NOTES.md): an ordinary app costs
 * one property check here and nothing more, and a self-registered one a write
 * at most once per `everyMs` per instance, off the response path.
 */
import type { App } from './model.js';
import type { AppStore } from './ports.js';

export interface AppUsage {
  tokenIssued(app: App, now: number): void;
}

/** At most this many apps are remembered between writes; beyond, the memory starts over (a few extra writes). */
const MAX_REMEMBERED = 10_000;

export class ThrottledAppUsage implements AppUsage {
  private readonly written = new Map<string, number>();

  constructor(
    private readonly apps: Pick<AppStore, 'updateApp'>,
    private readonly everyMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  tokenIssued(app: App, now: number): void {
    if (!app.registration) return;
    const last = Math.max(this.written.get(app.clientId) ?? 0, app.lastUsedAt ?? 0);
    if (now - last < this.everyMs) return;
    if (this.written.size >= MAX_REMEMBERED) this.written.clear();
    this.written.set(app.clientId, now);
    this.apps.updateApp(app.clientId, { lastUsedAt: now }).catch(this.onError);
  }
}

/** How often a self-registered app's use is written: hourly, or a quarter of a short TTL. */
export const usageWriteInterval = (ttlSeconds: number): number => Math.min(3600, Math.max(1, Math.floor(ttlSeconds / 4))) * 1000;
