import { createMemoryStores } from '../../src/storage/memory/index.js';
import { storeContract } from './contract.js';

storeContract('memory', async () => ({ stores: createMemoryStores(), close: async () => {} }));
