/** Pushed authorization requests in memory (RFC 9126): the contract's reference implementation. */
import type { NewPushedRequest, PushedRequest, PushedRequestStore } from '../../core/pushed-requests.js';

export class MemoryPushedRequestStore implements PushedRequestStore {
  private readonly requests = new Map<number, PushedRequest>();

  async savePushedRequest(request: NewPushedRequest): Promise<void> {
    this.requests.set(request.id, structuredClone({ ...request, consumedAt: null }));
  }
  async findPushedRequest(id: number): Promise<PushedRequest | undefined> {
    const found = this.requests.get(id);
    return found && structuredClone(found);
  }
  async consumePushedRequest(id: number, now: number): Promise<boolean> {
    const found = this.requests.get(id);
    if (found === undefined || found.consumedAt !== null) return false;
    found.consumedAt = now;
    return true;
  }
  async deleteExpiredPushedRequests(now: number, limit: number): Promise<number> {
    let deleted = 0;
    for (const [id, request] of this.requests) {
      if (deleted >= limit) break;
      if (request.expiresAt <= now) {
        this.requests.delete(id);
        deleted++;
      }
    }
    return deleted;
  }
}
