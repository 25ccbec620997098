import { after, before } from 'node:test';
import { openDatabase } from '../../src/storage/sql/connect.js';
import { deviceStoreContract } from './device-contract.js';
import { createTestSchema, type TestSchema } from './pg-schema.js';
import { withPostgres } from './pg-suite.js';

withPostgres('PostgreSQL device store contract', (base) => {
  let schema: TestSchema;
  before(async () => {
    schema = await createTestSchema(base);
  });
  after(async () => {
    await schema.drop();
  });

  deviceStoreContract('PostgreSQL', async () => {
    const db = await openDatabase(schema.url);
    // A second pool: racing UPDATEs arrive on different connections, as from two instances.
    const peer = await openDatabase(schema.url, { migrate: false });
    return {
      devices: db.stores.devices,
      peer: peer.stores.devices,
      close: async () => {
        await peer.close();
        await db.close();
      },
    };
  });
});
