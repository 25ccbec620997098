/**
 * SPEC §7 Keys: running instances pick up a rotation within 5 seconds, without restart.
 * Two Signers on one database; a third opener rotates with --activate-now, then retires;
 * both Signers follow (polled in a bounded loop; each reloads the key table every ~2 s).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openSigner, type OpenedSigner } from '../../src/storage/keys/index.js';
import { openDatabase, type OpenedDatabase } from '../../src/storage/sql/connect.js';
import { createTestSchema } from '../storage/pg-schema.js';
import { withPostgres } from '../storage/pg-suite.js';

const config = { keysSecret: 'a secret of thirty-two characters or more', keyPropagationSeconds: 900, lifetimes: { idToken: 3600 } };
const headerKid = (jws: string) => JSON.parse(Buffer.from(jws.split('.')[0]!, 'base64url').toString()).kid as string;

/** Polls `check` every 100 ms for at most 5 s; returns how long it took (ms). */
async function within5s(check: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < 5_000) {
    if (await check()) return Date.now() - start;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail('not picked up within 5 s');
}

async function pickUp(databases: [OpenedDatabase, OpenedDatabase, OpenedDatabase]): Promise<void> {
  const instances: OpenedSigner[] = [];
  try {
    for (const database of databases.slice(0, 2)) instances.push(await openSigner(database.db, config));
    const operator = await openSigner(databases[2].db, config);
    instances.push(operator);
    const [a, b] = instances as [OpenedSigner, OpenedSigner];
    const old = headerKid(await a.signer.sign({ sub: '1' }, { alg: 'ES256' }));
    assert.equal(headerKid(await b.signer.sign({ sub: '1' }, { alg: 'ES256' })), old);
    const oldToken = await a.signer.sign({ sub: 'old' }, { alg: 'ES256' });

    const [made] = await operator.keys.rotate({ alg: 'ES256', activateNow: true });
    for (const instance of [a, b]) {
      await within5s(async () => headerKid(await instance.signer.sign({ sub: '1' }, { alg: 'ES256' })) === made!.kid);
      assert.ok((await instance.signer.jwks()).keys.some((key) => key['kid'] === old));
      assert.deepEqual((await instance.signer.verify(oldToken))?.payload, { sub: 'old' });
    }

    await operator.keys.retire(old);
    for (const instance of [a, b]) {
      await within5s(async () => (await instance.signer.verify(oldToken)) === undefined);
      assert.ok(!(await instance.signer.jwks()).keys.some((key) => key['kid'] === old));
    }
  } finally {
    for (const instance of instances) instance.close();
  }
}

describe('picking up a rotation (SQLite: three connections to one file)', () => {
  it('both running Signers sign with the new kid, and drop the retired one, within 5 s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-keys-pickup-'));
    const url = `sqlite:${join(dir, 'gatehouse.db')}`;
    const databases = [await openDatabase(url), await openDatabase(url), await openDatabase(url)] as [OpenedDatabase, OpenedDatabase, OpenedDatabase];
    try {
      await pickUp(databases);
    } finally {
      for (const database of databases) await database.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

withPostgres('picking up a rotation (PostgreSQL)', (base) => {
  describe('picking up a rotation (PostgreSQL: three pools on one schema)', () => {
    it('both running Signers sign with the new kid, and drop the retired one, within 5 s', async () => {
      const schema = await createTestSchema(base);
      const first = await openDatabase(schema.url, { poolSize: 2 });
      const databases = [first, await openDatabase(schema.url, { migrate: false, poolSize: 2 }), await openDatabase(schema.url, { migrate: false, poolSize: 2 })] as [
        OpenedDatabase,
        OpenedDatabase,
        OpenedDatabase,
      ];
      try {
        await pickUp(databases);
      } finally {
        for (const database of databases) await database.close();
        await schema.drop();
      }
    });
  });
});
