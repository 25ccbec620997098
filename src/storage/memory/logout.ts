/** Session-apps and the back-channel logout outbox in memory: the contract's simplest implementation. */
import { nextId } from '../../core/ids.js';
import type { LogoutDelivery, LogoutDeliveryState, LogoutOutbox, NewLogoutDelivery, SessionApp, SessionAppStore } from '../../core/logout.js';
import { randomId } from '../../core/tokens.js';

export class MemorySessionAppStore implements SessionAppStore {
  private readonly rows = new Map<string, SessionApp>();
  private key = (sid: string, clientId: string) => `${sid}\u0000${clientId}`;
  async recordSessionApp(entry: SessionApp) {
    const key = this.key(entry.sid, entry.clientId);
    if (!this.rows.has(key)) this.rows.set(key, { ...entry });
  }
  async listSessionApps(sid: string) {
    return [...this.rows.values()].filter((row) => row.sid === sid).sort((a, b) => a.createdAt - b.createdAt).map((row) => ({ ...row }));
  }
  async listUserSessionApps(uid: string, clientId?: string) {
    return [...this.rows.values()]
      .filter((row) => row.uid === uid && (clientId === undefined || row.clientId === clientId))
      .sort((a, b) => a.createdAt - b.createdAt)
      .map((row) => ({ ...row }));
  }
  async deleteSessionApps(filter: { sid: string } | { uid: string; clientId?: string }) {
    let deleted = 0;
    for (const [key, row] of this.rows) {
      const match = 'sid' in filter ? row.sid === filter.sid : row.uid === filter.uid && (filter.clientId === undefined || row.clientId === filter.clientId);
      if (match) {
        this.rows.delete(key);
        deleted += 1;
      }
    }
    return deleted;
  }
  async deleteSessionAppsBefore(before: number, limit: number) {
    let deleted = 0;
    for (const [key, row] of this.rows) {
      if (deleted >= limit) break;
      if (row.createdAt < before) {
        this.rows.delete(key);
        deleted += 1;
      }
    }
    return deleted;
  }
}

export class MemoryLogoutOutbox implements LogoutOutbox {
  private readonly rows = new Map<number, LogoutDelivery & { claim: string | null }>();
  private readonly sessions = new Set<string>();

  async enqueueLogouts(rows: readonly NewLogoutDelivery[], now: number) {
    for (const row of rows) {
      if (row.sid !== null) {
        const key = `${row.sid}\u0000${row.clientId}`;
        if (this.sessions.has(key)) continue;
        this.sessions.add(key);
      }
      const id = nextId(now);
      this.rows.set(id, { id, clientId: row.clientId, uid: row.uid, sid: row.sid, state: 'pending', attempts: 0, nextAttemptAt: now, createdAt: now, finishedAt: null, lastError: null, claim: null });
    }
  }
  async claimDueLogouts(now: number, leaseMs: number, limit: number) {
    const due = [...this.rows.values()].filter((row) => row.state === 'pending' && row.nextAttemptAt <= now).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.id - b.id).slice(0, limit);
    return due.map((row) => {
      row.claim = randomId(12);
      row.nextAttemptAt = now + leaseMs;
      return { delivery: this.public(row), claim: row.claim };
    });
  }
  private claimed(id: number, claim: string) {
    const row = this.rows.get(id);
    return row !== undefined && row.state === 'pending' && row.claim === claim ? row : undefined;
  }
  async markLogoutDelivered(id: number, claim: string, now: number) {
    const row = this.claimed(id, claim);
    if (row === undefined) return false;
    Object.assign(row, { state: 'delivered', finishedAt: now, claim: null });
    return true;
  }
  async retryLogout(id: number, claim: string, nextAttemptAt: number, error: string) {
    const row = this.claimed(id, claim);
    if (row === undefined) return false;
    Object.assign(row, { attempts: row.attempts + 1, nextAttemptAt, lastError: error, claim: null });
    return true;
  }
  async failLogout(id: number, claim: string, now: number, error: string) {
    const row = this.claimed(id, claim);
    if (row === undefined) return false;
    Object.assign(row, { state: 'failed', attempts: row.attempts + 1, finishedAt: now, lastError: error, claim: null });
    return true;
  }
  async findLogout(id: number) {
    const row = this.rows.get(id);
    return row && this.public(row);
  }
  async listLogouts(filter: { clientId?: string; state?: LogoutDeliveryState; limit?: number } = {}) {
    return [...this.rows.values()]
      .filter((row) => (filter.clientId === undefined || row.clientId === filter.clientId) && (filter.state === undefined || row.state === filter.state))
      .sort((a, b) => b.id - a.id)
      .slice(0, filter.limit ?? 100)
      .map((row) => this.public(row));
  }
  async deleteFinishedLogouts(before: number, limit: number) {
    let deleted = 0;
    for (const [id, row] of this.rows) {
      if (deleted >= limit) break;
      if (row.state !== 'pending' && row.finishedAt !== null && row.finishedAt < before) {
        this.rows.delete(id);
        deleted += 1;
      }
    }
    return deleted;
  }
  private public(row: LogoutDelivery & { claim: string | null }): LogoutDelivery {
    const { claim: _claim, ...rest } = row;
    return { ...rest };
  }
}
