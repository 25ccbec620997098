import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqlSigningKeyStore } from '../../src/storage/keys/index.js';
import { openDatabase } from '../../src/storage/sql/connect.js';
import { signingKeyStoreContract } from './signing-key-contract.js';

signingKeyStoreContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-keys-sqlite-'));
  const url = `sqlite:${join(dir, 'gatehouse.db')}`;
  // Three connections to one file, as three processes would have.
  const first = await openDatabase(url);
  const others = [await openDatabase(url, { migrate: false }), await openDatabase(url, { migrate: false })];
  const all = [first, ...others];
  return {
    stores: [new SqlSigningKeyStore(first.db), new SqlSigningKeyStore(others[0]!.db), new SqlSigningKeyStore(others[1]!.db)],
    close: async () => {
      for (const database of all) await database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
