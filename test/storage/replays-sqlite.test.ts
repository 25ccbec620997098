import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/storage/sql/connect.js';
import { replayCacheContract } from './replays-contract.js';
import { replayCacheInWorker } from './replays-sqlite-peer.js';

replayCacheContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-replays-sqlite-'));
  const url = `sqlite:${join(dir, 'gatehouse.db')}`;
  // Two connections to one file, as two processes would have: the second in a thread of its own.
  const first = await openDatabase(url);
  const second = await replayCacheInWorker(url);
  return {
    caches: [first.stores.replays, second.cache],
    close: async () => {
      await first.close();
      await second.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
