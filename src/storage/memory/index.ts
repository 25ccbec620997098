/**
 * The reference store: plain maps, for unit tests and as the contract's
 * simplest implementation. Same semantics as the SQL stores, including
 * single-use consumption (JavaScript runs one caller at a time here).
 */
import { nextId } from '../../core/ids.js';
import type { App, AuthorizationCode, Consent, NewToken, Scope, SignInContext, TokenRecord, User } from '../../core/model.js';
import type { AppStore, CodeStore, ConsentStore, ScopeStore, Stores, TokenStore, UserStore } from '../../core/ports.js';
import { MemoryDeviceStore } from './devices.js';
import { MemoryAuditStore } from './audit.js';
import { MemoryLogoutOutbox, MemorySessionAppStore } from './logout.js';
import { MemoryReplayCache } from './replays.js';
import type { MemoryKeyStore } from './signing-keys.js';
import { MemoryInitialAccessTokenStore } from './registration-tokens.js';
import { MemoryPushedRequestStore } from './pushed-requests.js';

const copy = <T>(value: T): T => structuredClone(value);

export class MemoryAppStore implements AppStore {
  /** Read and written directly by the memory unit of work (audit.ts). */
  readonly apps = new Map<string, App>();
  async findApp(clientId: string) {
    const app = this.apps.get(clientId);
    return app && copy(app);
  }
  async createApp(app: App) {
    if (this.apps.has(app.clientId)) throw new Error(`app ${app.clientId} exists`);
    this.apps.set(app.clientId, copy(app));
  }
  async updateApp(clientId: string, patch: Partial<App>) {
    const app = this.apps.get(clientId);
    if (!app) return false;
    // As the SQL stores do: a field patched as undefined is left alone.
    const defined = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
    this.apps.set(clientId, { ...app, ...copy(defined) });
    return true;
  }
  async listApps(filter: Parameters<AppStore['listApps']>[0] = {}) {
    const after = filter.after;
    const sorted = [...this.apps.values()]
      .filter((app) => filter.ownerUid === undefined || app.ownerUid === filter.ownerUid)
      .sort((a, b) => a.createdAt - b.createdAt || (a.clientId < b.clientId ? -1 : a.clientId > b.clientId ? 1 : 0))
      .filter((app) => after === undefined || app.createdAt > after.createdAt || (app.createdAt === after.createdAt && app.clientId > after.clientId));
    return sorted.slice(0, filter.limit ?? sorted.length).map(copy);
  }
}

export class MemoryUserStore implements UserStore {
  /** Read and written directly by the memory unit of work (audit.ts). */
  readonly users = new Map<string, User>();
  async findUserByUid(uid: string) {
    const user = this.users.get(uid);
    return user && copy(user);
  }
  async findUserByUsername(username: string) {
    const user = [...this.users.values()].find((u) => u.username === username);
    return user && copy(user);
  }
  async createUser(user: User) {
    if (this.users.has(user.uid) || (await this.findUserByUsername(user.username))) return false;
    this.users.set(user.uid, copy(user));
    return true;
  }
  async countUsers() {
    return this.users.size;
  }
  async listUsers(page: { afterUid?: string; limit: number }) {
    return [...this.users.values()]
      .filter((user) => page.afterUid === undefined || user.uid > page.afterUid)
      .sort((a, b) => (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0))
      .slice(0, page.limit)
      .map(copy);
  }
}

export class MemoryScopeStore implements ScopeStore {
  /** Read and written directly by the memory unit of work (audit.ts). */
  readonly scopes = new Map<string, Scope>([
    ['basic', { name: 'basic', description: 'Your basic profile: user id, user name and portrait' }],
    ['email', { name: 'email', description: 'Your email address' }],
      ['openid', { name: 'openid', description: 'Sign you in to the app with your account' }],
    ['profile', { name: 'profile', description: 'Your name, user name, picture and when your profile changed' }],
    ['offline_access', { name: 'offline_access', description: 'Keep access while you are away (a refresh token)' }],
]);
  async listScopes() {
    return [...this.scopes.values()].sort((a, b) => a.name.localeCompare(b.name)).map(copy);
  }
  async saveScope(scope: Scope) {
    this.scopes.set(scope.name, copy(scope));
  }
}

export class MemoryConsentStore implements ConsentStore {
  readonly consents = new Map<string, Consent & { updatedAt: number }>();
  private key = (uid: string, clientId: string) => `${uid}\u0000${clientId}`;
  async findConsent(uid: string, clientId: string) {
    const found = this.consents.get(this.key(uid, clientId));
    return found && { uid: found.uid, clientId: found.clientId, scope: [...found.scope] };
  }
  async saveConsent(consent: Consent, now: number) {
    const previous = this.consents.get(this.key(consent.uid, consent.clientId))?.scope ?? [];
    this.consents.set(this.key(consent.uid, consent.clientId), { ...copy(consent), scope: [...new Set([...previous, ...consent.scope])], updatedAt: now });
  }
  async listConsents(uid: string) {
    return [...this.consents.values()]
      .filter((c) => c.uid === uid)
      .sort((a, b) => b.updatedAt - a.updatedAt)
      .map((c) => ({ uid: c.uid, clientId: c.clientId, scope: [...c.scope] }));
  }
  async deleteConsent(uid: string, clientId: string) {
    this.consents.delete(this.key(uid, clientId));
  }
}

export class MemoryCodeStore implements CodeStore {
  private readonly codes = new Map<number, AuthorizationCode>();
  async saveCode(code: Omit<AuthorizationCode, 'id' | 'consumedAt' | 'familyId' | 'replayedAt'>) {
    const id = nextId(code.createdAt);
    this.codes.set(id, { ...copy(code), id, familyId: id, consumedAt: null, replayedAt: null });
    return id;
  }
  async findCode(id: number) {
    const code = this.codes.get(id);
    return code && copy(code);
  }
  async consumeCode(id: number, now: number) {
    const code = this.codes.get(id);
    if (!code || code.consumedAt !== null) return false;
    code.consumedAt = now;
    return true;
  }
  async markCodeReplayed(id: number, now: number) {
    const code = this.codes.get(id);
    if (code && code.replayedAt === null) code.replayedAt = now;
  }
  async isCodeReplayed(id: number) {
    return (this.codes.get(id)?.replayedAt ?? null) !== null;
  }
}

export class MemoryTokenStore implements TokenStore {
  readonly tokens = new Map<number, TokenRecord>();
  private readonly signIns = new Map<number, SignInContext>();
  async saveSignIn(familyId: number, signIn: SignInContext) {
    if (!this.signIns.has(familyId)) this.signIns.set(familyId, { ...signIn });
  }
  async findSignIn(familyId: number) {
    const signIn = this.signIns.get(familyId);
    return signIn && { ...signIn };
  }
  private readonly answers = new Map<number, { sealed: string; expiresAt: number }>();
  async saveRefreshAnswer(tokenId: number, sealed: string, expiresAt: number) {
    if (!this.answers.has(tokenId)) this.answers.set(tokenId, { sealed, expiresAt });
  }
  async findRefreshAnswer(tokenId: number, now: number) {
    const answer = this.answers.get(tokenId);
    return answer !== undefined && answer.expiresAt > now ? answer.sealed : undefined;
  }
  async issueTokens(tokens: NewToken[]) {
    return tokens.map((token) => {
      const id = nextId(token.createdAt);
      this.tokens.set(id, { ...copy(token), id, revokedAt: null, consumedAt: null });
      return id;
    });
  }
  async findToken(id: number) {
    const token = this.tokens.get(id);
    return token && copy(token);
  }
  async consumeRefreshToken(id: number, now: number) {
    const token = this.tokens.get(id);
    if (!token || token.kind !== 'refresh' || token.consumedAt !== null || token.revokedAt !== null) return false;
    token.consumedAt = now;
    return true;
  }
  async revokeToken(id: number, now: number) {
    const token = this.tokens.get(id);
    if (token && token.revokedAt === null) token.revokedAt = now;
  }
  async revokeFamily(familyId: number, now: number) {
    for (const token of this.tokens.values()) if (token.familyId === familyId && token.revokedAt === null) token.revokedAt = now;
  }
  async revokeUserTokens(uid: string, clientId: string, now: number) {
    for (const token of this.tokens.values()) {
      if (token.uid === uid && token.clientId === clientId && token.revokedAt === null) token.revokedAt = now;
    }
  }
}

/** `signingKeys`: the key store whose rotations the audit store may write (audited `keys rotate`). */
export function createMemoryStores(options: { signingKeys?: MemoryKeyStore } = {}): Stores {
  const stores = {
    apps: new MemoryAppStore(),
    users: new MemoryUserStore(),
    scopes: new MemoryScopeStore(),
    consents: new MemoryConsentStore(),
    codes: new MemoryCodeStore(),
    tokens: new MemoryTokenStore(),
    devices: new MemoryDeviceStore(),
    sessionApps: new MemorySessionAppStore(),
    pushedRequests: new MemoryPushedRequestStore(),
    logouts: new MemoryLogoutOutbox(),
    replays: new MemoryReplayCache(),
    registrationTokens: new MemoryInitialAccessTokenStore(),
  };
  return { ...stores, audit: new MemoryAuditStore({ ...stores, ...(options.signingKeys === undefined ? {} : { signingKeys: options.signingKeys }) }) };
}
