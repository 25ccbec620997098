/**
 * SPEC §7 Keys: under GATEHOUSE_KEYS_SECRET the private keys are stored AES-256-GCM-sealed
 * (HKDF-SHA256 key); a wrong or missing secret is refused at open with a clear message.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError } from '../../src/config.js';
import { openSigner } from '../../src/storage/keys/index.js';
import { openDatabase, type OpenedDatabase } from '../../src/storage/sql/connect.js';

const SECRET = 'correct horse battery staple, thirty-two+';
const config = (keysSecret: string | undefined) => ({ keysSecret, keyPropagationSeconds: 900, lifetimes: { idToken: 3600 } });

async function rawRows(database: OpenedDatabase) {
  return database.db.selectFrom('signing_keys').select(['kid', 'private_jwk', 'encryption']).execute();
}

describe('signing keys at rest (SQLite)', () => {
  let dir: string;
  let database: OpenedDatabase;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-keys-seal-'));
    database = await openDatabase(`sqlite:${join(dir, 'gatehouse.db')}`);
  });
  after(async () => {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('with the secret set, no row holds a clear private JWK', async () => {
    const opened = await openSigner(database.db, config(SECRET));
    opened.close();
    const rows = await rawRows(database);
    assert.equal(rows.length, 4);
    for (const row of rows) {
      assert.equal(row.encryption, 'A256GCM-HKDF-SHA256');
      assert.match(row.private_jwk, /^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
      for (const member of ['"d"', '"p"', '"q"', 'kty']) assert.ok(!row.private_jwk.includes(member), `${member} in ${row.kid}`);
    }
  });

  it('a wrong secret is refused at open with a message naming GATEHOUSE_KEYS_SECRET (a ConfigError, no key made)', async () => {
    await assert.rejects(openSigner(database.db, config('x'.repeat(32))), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /^GATEHOUSE_KEYS_SECRET does not decrypt signing key [A-Za-z0-9_-]{43}: it is not the secret the signing keys were stored with$/);
      return true;
    });
    await assert.rejects(openSigner(database.db, config(undefined)), {
      name: 'Error',
      message: 'the signing keys in the database are encrypted: set GATEHOUSE_KEYS_SECRET to the secret they were stored with',
    });
    assert.equal((await rawRows(database)).length, 4);
  });

  it('the right secret opens them again and signs with the same keys', async () => {
    const kids = (await rawRows(database)).map((row) => row.kid).sort();
    const opened = await openSigner(database.db, config(SECRET));
    try {
      assert.deepEqual(Object.values(opened.signer.currentKids()).sort(), kids);
      assert.ok(await opened.signer.verify(await opened.signer.sign({ sub: '1' }, { alg: 'RS256' })));
    } finally {
      opened.close();
    }
  });
});

describe('signing keys stored in clear, then GATEHOUSE_KEYS_SECRET set', () => {
  it('warns once, when asked (serve\'s first process), and only without the secret; the line holds no key material', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-keys-warn-'));
    const database = await openDatabase(`sqlite:${join(dir, 'gatehouse.db')}`);
    const lines: string[] = [];
    const logger = { warn: (object: object, message: string) => lines.push(JSON.stringify({ ...object, message })), error: (object: object, message: string) => lines.push(message) };
    try {
      (await openSigner(database.db, config(undefined), logger, { warnIfClear: true })).close();
      (await openSigner(database.db, config(undefined), logger)).close();
      assert.deepEqual(lines, ['{"message":"GATEHOUSE_KEYS_SECRET is not set: the private signing keys are stored in the database in clear"}']);
      (await openSigner(database.db, config(SECRET), logger, { warnIfClear: true })).close();
      assert.equal(lines.length, 1);
    } finally {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stores clear JSON without the secret, and seals every key under it at the next open', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-keys-reseal-'));
    const database = await openDatabase(`sqlite:${join(dir, 'gatehouse.db')}`);
    try {
      (await openSigner(database.db, config(undefined))).close();
      const clear = await rawRows(database);
      assert.deepEqual(clear.map((row) => row.encryption), ['none', 'none', 'none', 'none']);
      assert.ok(clear.every((row) => typeof JSON.parse(row.private_jwk).d === 'string'));
      (await openSigner(database.db, config(SECRET))).close();
      const sealed = await rawRows(database);
      assert.deepEqual(sealed.map((row) => [row.kid, row.encryption]), clear.map((row) => [row.kid, 'A256GCM-HKDF-SHA256']));
    } finally {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
