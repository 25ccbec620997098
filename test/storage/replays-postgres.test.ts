import { openDatabase } from '../../src/storage/sql/connect.js';
import { replayCacheContract } from './replays-contract.js';
import { createTestSchema } from './pg-schema.js';
import { withPostgres } from './pg-suite.js';

withPostgres('PostgreSQL replay cache contract', (base) => {
  replayCacheContract('PostgreSQL', async () => {
    const schema = await createTestSchema(base);
    // Two pools, as two instances would have.
    const first = await openDatabase(schema.url, { poolSize: 4 });
    const second = await openDatabase(schema.url, { migrate: false, poolSize: 4 });
    return {
      caches: [first.stores.replays, second.stores.replays],
      close: async () => {
        await first.close();
        await second.close();
        await schema.drop();
      },
    };
  });
});
