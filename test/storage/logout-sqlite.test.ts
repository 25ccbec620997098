import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/storage/sql/connect.js';
import { logoutStoreContract } from './logout-contract.js';

logoutStoreContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-logout-sqlite-'));
  const url = `sqlite:${join(dir, 'gatehouse.db')}`;
  // Two connections to one file, as two processes would have.
  const first = await openDatabase(url);
  const second = await openDatabase(url, { migrate: false });
  return {
    sessionApps: first.stores.sessionApps,
    outboxes: [first.stores.logouts, second.stores.logouts],
    close: async () => {
      await first.close();
      await second.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
