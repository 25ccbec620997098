/** Initial access tokens in memory: the reference implementation of the contract (test/storage/registration-contract.ts). */
import { nextId } from '../../core/ids.js';
import type { InitialAccessToken, InitialAccessTokenStore } from '../../core/initial-access-tokens.js';

export class MemoryInitialAccessTokenStore implements InitialAccessTokenStore {
  private readonly tokens = new Map<number, InitialAccessToken>();

  async saveInitialAccessToken(token: Omit<InitialAccessToken, 'id'>): Promise<number> {
    const id = nextId(token.createdAt);
    this.tokens.set(id, { ...token, id });
    return id;
  }

  async findInitialAccessToken(id: number): Promise<InitialAccessToken | undefined> {
    const token = this.tokens.get(id);
    return token && { ...token };
  }

  async useInitialAccessToken(id: number, now: number): Promise<boolean> {
    const token = this.tokens.get(id);
    if (token === undefined || token.usesLeft <= 0 || token.expiresAt <= now) return false;
    token.usesLeft -= 1;
    return true;
  }

  async deleteSpentInitialAccessTokens(now: number, limit: number): Promise<number> {
    let deleted = 0;
    for (const [id, token] of this.tokens) {
      if (deleted >= limit) break;
      if (token.usesLeft <= 0 || token.expiresAt <= now) {
        this.tokens.delete(id);
        deleted += 1;
      }
    }
    return deleted;
  }
}
