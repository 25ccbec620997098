import { openDatabase } from '../../src/storage/sql/connect.js';
import { logoutStoreContract } from './logout-contract.js';
import { createTestSchema } from './pg-schema.js';
import { withPostgres } from './pg-suite.js';

withPostgres('PostgreSQL session-apps and logout outbox contract', (base) => {
  logoutStoreContract('PostgreSQL', async () => {
    const schema = await createTestSchema(base);
    // Two pools, as two instances would have.
    const first = await openDatabase(schema.url, { poolSize: 4 });
    const second = await openDatabase(schema.url, { migrate: false, poolSize: 4 });
    return {
      sessionApps: first.stores.sessionApps,
      outboxes: [first.stores.logouts, second.stores.logouts],
      close: async () => {
        await first.close();
        await second.close();
        await schema.drop();
      },
    };
  });
});
