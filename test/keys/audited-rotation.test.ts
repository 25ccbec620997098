/**
 * SPEC §10: a rotation made by someone (the CLI, the admin API) writes each new
 * key with its `key.rotate` event in one unit, on the memory stores and on
 * SQLite: a key that loses its (alg, generation) race is retried under the next
 * generation, and a refused insert leaves neither the key nor an event.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { AuditStore } from '../../src/core/audit.js';
import { auditedKeyInsert, auditedKeyRetire, rotateKeys } from '../../src/core/key-admin.js';
import type { SigningKeyStore } from '../../src/core/signing.js';
import { createSigningKeys, MemoryKeyStore, SqlSigningKeyStore } from '../../src/storage/keys/index.js';
import { createMemoryStores } from '../../src/storage/memory/index.js';
import { openDatabase } from '../../src/storage/sql/connect.js';
import { TEST_CONTEXT } from '../helpers/server.js';

const CONFIG = { keysSecret: undefined, keyPropagationSeconds: 900, lifetimes: { idToken: 3600 } };

async function backends(): Promise<Array<{ name: string; keyStore: SigningKeyStore; audit: AuditStore; close(): Promise<void> }>> {
  const memoryKeys = new MemoryKeyStore();
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-audited-rotation-'));
  const database = await openDatabase(`sqlite:${join(dir, 'gatehouse.db')}`);
  return [
    { name: 'memory', keyStore: memoryKeys, audit: createMemoryStores({ signingKeys: memoryKeys }).audit, close: async () => {} },
    {
      name: 'SQLite',
      keyStore: new SqlSigningKeyStore(database.db),
      audit: database.stores.audit,
      close: async () => {
        await database.close();
        rmSync(dir, { recursive: true, force: true });
      },
    },
  ];
}

describe('audited key rotation', async () => {
  for (const backend of await backends()) {
    it(`${backend.name}: one key.rotate event per new key, each naming its kid`, async () => {
      const opened = await createSigningKeys(backend.keyStore, CONFIG);
      try {
        const made = await rotateKeys(opened.keys, backend.audit, {}, TEST_CONTEXT());
        assert.deepEqual(made.map((key) => [key.alg, key.state]), [['RS256', 'next'], ['PS256', 'next'], ['ES256', 'next'], ['EdDSA', 'next']]);
        const events = await backend.audit.listEvents({ limit: 10 });
        assert.deepEqual(events.map((event) => [event.action, event.actor.type, event.target.type, event.target.id]).reverse(), made.map((key) => ['key.rotate', 'cli', 'key', key.kid]));
        const published = (await opened.keys.list()).map((key) => key.kid);
        for (const key of made) assert.ok(published.includes(key.kid));

        // The same (alg, generation) again: refused, and neither a key nor an event is written.
        const stored = (await backend.keyStore.listSigningKeys()).find((key) => key.kid === made[0]!.kid)!;
        const inserted = await auditedKeyInsert(backend.audit, TEST_CONTEXT())({ ...stored, kid: 'another-kid' });
        assert.equal(inserted, false);
        assert.equal((await backend.audit.listEvents({ limit: 10 })).length, made.length);
        assert.ok(!(await backend.keyStore.listSigningKeys()).some((key) => key.kid === 'another-kid'));

        // Retiring: one key.retire event; retiring it again is refused and writes nothing.
        const retire = auditedKeyRetire(backend.audit, TEST_CONTEXT());
        assert.equal(await retire(made[0]!.kid, Date.now()), true);
        assert.equal(await retire(made[0]!.kid, Date.now()), false);
        const [last, ...rest] = await backend.audit.listEvents({ limit: 10 });
        assert.deepEqual([last!.action, last!.target.id, rest.length], ['key.retire', made[0]!.kid, made.length]);
      } finally {
        opened.close();
        await backend.close();
      }
    });
  }
});
