/** The reference replay cache: a map from key to expiry (one process, so one caller at a time decides). */
import type { ReplayCache } from '../../core/replays.js';

export class MemoryReplayCache implements ReplayCache {
  private readonly entries = new Map<string, number>();

  async firstUse(key: string, expiresAt: number, now: number): Promise<boolean> {
    const held = this.entries.get(key);
    if (held !== undefined && held > now) return false;
    this.entries.set(key, expiresAt);
    return true;
  }

  async deleteExpired(now: number, limit: number): Promise<number> {
    let deleted = 0;
    for (const [key, expiresAt] of this.entries) {
      if (deleted >= limit) break;
      if (expiresAt <= now) {
        this.entries.delete(key);
        deleted += 1;
      }
    }
    return deleted;
  }
}
