/** The initial access token contract against memory, SQLite and PostgreSQL. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { MemoryInitialAccessTokenStore } from '../../src/storage/memory/registration-tokens.js';
import { openDatabase } from '../../src/storage/sql/connect.js';
import { createTestSchema, type TestSchema } from './pg-schema.js';
import { withPostgres } from './pg-suite.js';
import { initialAccessTokenContract } from './registration-contract.js';

initialAccessTokenContract('memory', async () => ({ store: new MemoryInitialAccessTokenStore(), close: async () => {} }));

initialAccessTokenContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-iat-'));
  const db = await openDatabase(`sqlite:${join(dir, 'db.sqlite')}`);
  return {
    store: db.stores.registrationTokens,
    close: async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

withPostgres('PostgreSQL initial access token contract', (base) => {
  let schema: TestSchema;
  before(async () => (schema = await createTestSchema(base)));
  after(async () => schema.drop());
  initialAccessTokenContract('PostgreSQL', async () => {
    const db = await openDatabase(schema.url);
    return { store: db.stores.registrationTokens, close: () => db.close() };
  });
});
