import { after, before, test } from 'node:test';
import { openDatabase } from '../../src/storage/sql/connect.js';
import { deviceStoreContract } from './device-contract.js';
import { createTestSchema, PG_SKIP_MESSAGE, PG_URL, type TestSchema } from './pg-schema.js';

if (PG_URL === undefined) {
  test('PostgreSQL device store contract', (t) => {
    t.diagnostic(PG_SKIP_MESSAGE);
    console.log(PG_SKIP_MESSAGE);
  });
} else {
  const base = PG_URL;
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
}
