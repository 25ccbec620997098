import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/storage/sql/connect.js';
import { replayCacheContract } from './replays-contract.js';

replayCacheContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-replays-sqlite-'));
  const url = `sqlite:${join(dir, 'gatehouse.db')}`;
  // Two connections to one file, as two processes would have.
  const first = await openDatabase(url);
  const second = await openDatabase(url, { migrate: false });
  return {
    caches: [first.stores.replays, second.stores.replays],
    close: async () => {
      await first.close();
      await second.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
