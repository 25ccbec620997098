import { MemoryKeyStore } from '../../src/storage/keys/index.js';
import { signingKeyStoreContract } from './signing-key-contract.js';

signingKeyStoreContract('memory', async () => {
  const store = new MemoryKeyStore();
  return { stores: [store, store, store], close: async () => {} };
});
