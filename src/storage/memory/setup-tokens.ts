/** The setup token's hash in process memory: for tests and for apps built without a database. */
import type { SetupTokenStore } from '../../core/first-run.js';

export class MemorySetupTokenStore implements SetupTokenStore {
  private hash: string | undefined;
  async saveSetupHash(hash: string) {
    this.hash = hash;
  }
  async findSetupHash() {
    return this.hash;
  }
  async takeSetupHash(hash: string) {
    if (this.hash !== hash) return false;
    this.hash = undefined;
    return true;
  }
}
