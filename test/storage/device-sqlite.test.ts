import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/storage/sql/connect.js';
import { deviceStoreContract } from './device-contract.js';

deviceStoreContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-device-sqlite-'));
  const url = `sqlite:${join(dir, 'gatehouse.db')}`;
  const db = await openDatabase(url);
  // A second connection, as a second process on the same file would have.
  const peer = await openDatabase(url, { migrate: false });
  return {
    devices: db.stores.devices,
    peer: peer.stores.devices,
    close: async () => {
      await peer.close();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
