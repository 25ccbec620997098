import { MemoryLogoutOutbox, MemorySessionAppStore } from '../../src/storage/memory/logout.js';
import { logoutStoreContract } from './logout-contract.js';

logoutStoreContract('memory', async () => {
  const outbox = new MemoryLogoutOutbox();
  return { sessionApps: new MemorySessionAppStore(), outboxes: [outbox, outbox], close: async () => {} };
});
