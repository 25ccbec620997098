import { MemoryReplayCache } from '../../src/storage/memory/replays.js';
import { replayCacheContract } from './replays-contract.js';

replayCacheContract('memory', async () => {
  const cache = new MemoryReplayCache();
  return { caches: [cache, cache], close: async () => {} };
});
