import { SqlSigningKeyStore } from '../../src/storage/keys/index.js';
import { openDatabase } from '../../src/storage/sql/connect.js';
import { createTestSchema } from './pg-schema.js';
import { withPostgres } from './pg-suite.js';
import { signingKeyStoreContract } from './signing-key-contract.js';

withPostgres('PostgreSQL signing key store contract', (base) => {
  signingKeyStoreContract('PostgreSQL', async () => {
    // A fresh schema per test: the race test needs an empty table.
    const schema = await createTestSchema(base);
    // Three pools, as three instances would have.
    const first = await openDatabase(schema.url, { poolSize: 2 });
    const others = [await openDatabase(schema.url, { migrate: false, poolSize: 2 }), await openDatabase(schema.url, { migrate: false, poolSize: 2 })];
    const all = [first, ...others];
    return {
      stores: [new SqlSigningKeyStore(first.db), new SqlSigningKeyStore(others[0]!.db), new SqlSigningKeyStore(others[1]!.db)],
      close: async () => {
        for (const database of all) await database.close();
        await schema.drop();
      },
    };
  });
});
