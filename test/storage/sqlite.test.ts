import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openDatabase } from '../../src/storage/sql/connect.js';
import { makeApp } from '../helpers/fixtures.js';
import { storeContract } from './contract.js';

storeContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-sqlite-'));
  const url = `sqlite:${join(dir, 'gatehouse.db')}`;
  const db = await openDatabase(url);
  // A second connection, as another process (the CLI, a cluster worker) would have.
  const peer = await openDatabase(url);
  return {
    stores: db.stores,
    peer: peer.stores,
    close: async () => {
      await peer.close();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SQLite app cache', () => {
  it('sees an app disabled through another connection (the CLI) by the next event-loop turn, by PRAGMA data_version', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-sqlite-'));
    const url = `sqlite:${join(dir, 'gatehouse.db')}`;
    const server = await openDatabase(url);
    const cli = await openDatabase(url);
    t.after(async () => {
      await cli.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const { app } = makeApp();
    await server.stores.apps.createApp(app);
    assert.equal((await server.stores.apps.findApp(app.clientId))?.disabled, false);
    assert.equal(await cli.stores.apps.updateApp(app.clientId, { disabled: true }), true);
    // The server asks data_version once per event-loop turn (docs/performance.md); the CLI
    // is another process, so its commit lands between the server's turns.
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal((await server.stores.apps.findApp(app.clientId))?.disabled, true);
  });
});
