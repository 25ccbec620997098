/**
 * The memory unit of work: each change is applied to the maps synchronously,
 * guard first, with its event, so no other caller runs between them
 * (JavaScript runs one at a time; nothing here awaits).
 */
import { applyUserPatch, type AuditEvent, type AuditPage, type AuditStore, type Change, type ChangeOutcome, type NewAuditEvent } from '../../core/audit.js';
import type { App, Consent, Scope, TokenRecord, User } from '../../core/model.js';
import type { StoredSigningKey } from '../../core/signing.js';

/** The maps of the memory stores (index.ts), which this writes directly. */
interface Maps {
  apps: { apps: Map<string, App> };
  users: { users: Map<string, User> };
  scopes: { scopes: Map<string, Scope> };
  consents: { consents: Map<string, Consent> };
  tokens: { tokens: Map<number, TokenRecord> };
  /** Only where the memory stores were given a key store (createMemoryStores). */
  signingKeys?: { insertNow(key: StoredSigningKey): boolean; retireNow(kid: string, now: number): boolean };
}

const copy = <T>(value: T): T => structuredClone(value);
const defined = <T extends object>(patch: T): Partial<T> => Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as Partial<T>;

export class MemoryAuditStore implements AuditStore {
  private readonly events: AuditEvent[] = [];
  private lastId = 0;

  constructor(private readonly maps: Maps) {}

  async commit(change: Change, event: NewAuditEvent): Promise<ChangeOutcome> {
    const outcome = this.apply(change, event.at);
    if (outcome.applied) this.events.push({ ...copy(event), id: ++this.lastId });
    return outcome;
  }

  private apply(change: Change, now: number): ChangeOutcome {
    const { apps, users, scopes, consents, tokens } = this.maps;
    const ok = (count: number): ChangeOutcome => ({ applied: true, count });
    switch (change.kind) {
      case 'createApp':
        if (apps.apps.has(change.app.clientId)) return { applied: false, reason: 'conflict' };
        apps.apps.set(change.app.clientId, copy(change.app));
        return ok(1);
      case 'updateApp': {
        const app = apps.apps.get(change.clientId);
        if (!app) return { applied: false, reason: 'not_found' };
        apps.apps.set(change.clientId, { ...app, ...copy(defined(change.patch)) } as App);
        return ok(1);
      }
      case 'deleteApp': {
        if (!apps.apps.delete(change.clientId)) return { applied: false, reason: 'not_found' };
        this.revoke((token) => token.clientId === change.clientId, now);
        for (const [key, consent] of consents.consents) if (consent.clientId === change.clientId) consents.consents.delete(key);
        return ok(1);
      }
      case 'createUser': {
        const taken = [...users.users.values()].some((user) => user.username === change.user.username);
        if (users.users.has(change.user.uid) || taken) return { applied: false, reason: 'conflict' };
        users.users.set(change.user.uid, copy(change.user));
        return ok(1);
      }
      case 'updateUser': {
        const user = users.users.get(change.uid);
        if (!user) return { applied: false, reason: 'not_found' };
        const { patch } = change;
        if (patch.username !== undefined && [...users.users.values()].some((other) => other.uid !== user.uid && other.username === patch.username)) {
          return { applied: false, reason: 'conflict' };
        }
        const updated = applyUserPatch(user, patch);
        users.users.set(change.uid, updated);
        if (change.revokeTokens) this.revoke((token) => token.uid === change.uid, now);
        return ok(1);
      }
      case 'createScope':
        if (scopes.scopes.has(change.scope.name)) return { applied: false, reason: 'conflict' };
        scopes.scopes.set(change.scope.name, copy(change.scope));
        return ok(1);
      case 'saveScope':
        scopes.scopes.set(change.scope.name, copy(change.scope));
        return ok(1);
      case 'revokeTokens':
        return ok(
          this.revoke((token) => (change.uid === undefined || token.uid === change.uid) && (change.clientId === undefined || token.clientId === change.clientId), now),
        );
      case 'insertSigningKey':
        if (this.maps.signingKeys === undefined) throw new Error('these memory stores keep no signing keys: give createMemoryStores a MemoryKeyStore');
        return this.maps.signingKeys.insertNow(change.key) ? ok(1) : { applied: false, reason: 'conflict' };
      case 'retireSigningKey':
        if (this.maps.signingKeys === undefined) throw new Error('these memory stores keep no signing keys: give createMemoryStores a MemoryKeyStore');
        return this.maps.signingKeys.retireNow(change.kid, now) ? ok(1) : { applied: false, reason: 'not_found' };
    }
  }

  private revoke(which: (token: { uid: string | null; clientId: string }) => boolean, now: number): number {
    let count = 0;
    for (const token of this.maps.tokens.tokens.values()) {
      if (token.revokedAt === null && which(token)) {
        token.revokedAt = now;
        count++;
      }
    }
    return count;
  }

  async listEvents(page: AuditPage): Promise<AuditEvent[]> {
    const involving = page.involving;
    return this.events
      .filter((event) => page.beforeId === undefined || event.id < page.beforeId)
      .filter(
        (event) =>
          involving === undefined ||
          (event.actor.type === involving.actor.type && event.actor.id === involving.actor.id) ||
          (event.target.type === 'app' && involving.appIds.includes(event.target.id)),
      )
      .reverse()
      .slice(0, page.limit)
      .map(copy);
  }
}
