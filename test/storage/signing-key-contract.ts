/**
 * The contract every SigningKeyStore passes (memory, SQLite, PostgreSQL). `open` gives a
 * fresh, empty database reached through three connections (as three instances would);
 * the race test runs three openers at once on it.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { JWS_ALGS, type SigningKeyStore, type StoredSigningKey } from '../../src/core/signing.js';
import { randomId } from '../../src/core/tokens.js';
import { createSigningKeys } from '../../src/storage/keys/index.js';
import { T0 } from '../helpers/fixtures.js';

export interface OpenedKeyStores {
  /** Three stores over one database, each on its own connection where the store has connections. */
  stores: [SigningKeyStore, SigningKeyStore, SigningKeyStore];
  close(): Promise<void>;
}

function storedKey(overrides: Partial<StoredSigningKey> = {}): StoredSigningKey {
  return {
    kid: `kid-${randomId()}`,
    alg: 'ES256',
    generation: 0,
    publicJwk: { kty: 'EC', crv: 'P-256', x: 'eA', y: 'eQ' },
    privateJwk: 'v1.aXY.dGFn.Ym9keQ',
    encryption: 'A256GCM-HKDF-SHA256',
    createdAt: T0,
    activatesAt: T0 + 900_000,
    retiredAt: null,
    ...overrides,
  };
}

export function signingKeyStoreContract(name: string, open: () => Promise<OpenedKeyStores>): void {
  describe(`${name} signing key store contract`, () => {
    let opened: OpenedKeyStores;
    let s: SigningKeyStore;
    let peer: SigningKeyStore;
    beforeEach(async () => {
      opened = await open();
      [s, peer] = opened.stores;
    });
    afterEach(async () => {
      await opened.close();
    });

    it('inserts keys and lists them with every field intact, by alg then generation, also through another connection', async () => {
      const b = storedKey({ alg: 'RS256', generation: 1, publicJwk: { kty: 'RSA', n: 'bg', e: 'AQAB' }, privateJwk: '{"kty":"RSA"}', encryption: 'none', retiredAt: null });
      const a = storedKey({ alg: 'RS256', generation: 0, createdAt: T0 - 1, activatesAt: T0 - 1 });
      const c = storedKey({ alg: 'ES256', generation: 7 });
      for (const key of [b, a, c]) assert.equal(await s.insertSigningKey(key), true);
      assert.deepEqual(await s.listSigningKeys(), [c, a, b]);
      assert.deepEqual(await peer.listSigningKeys(), [c, a, b]);
    });

    it('refuses (false, nothing written) a taken kid and a taken (alg, generation)', async () => {
      const key = storedKey({ generation: 3 });
      assert.equal(await s.insertSigningKey(key), true);
      assert.equal(await peer.insertSigningKey({ ...key, generation: 4, privateJwk: 'other' }), false);
      assert.equal(await peer.insertSigningKey(storedKey({ generation: 3 })), false);
      assert.equal(await peer.insertSigningKey(storedKey({ generation: 3, alg: 'EdDSA' })), true);
      assert.deepEqual((await s.listSigningKeys()).filter((k) => k.alg === 'ES256'), [key]);
    });

    it('retires a key once: true for the first caller only, retiredAt kept', async () => {
      const key = storedKey();
      await s.insertSigningKey(key);
      const results = await Promise.all([s.retireSigningKey(key.kid, T0 + 5), peer.retireSigningKey(key.kid, T0 + 6)]);
      assert.deepEqual(results.filter(Boolean).length, 1);
      const retiredAt = (await s.listSigningKeys())[0]!.retiredAt;
      assert.ok(retiredAt === T0 + 5 || retiredAt === T0 + 6, String(retiredAt));
      assert.equal(await s.retireSigningKey(key.kid, T0 + 7), false);
      assert.equal(await s.retireSigningKey('no-such-kid', T0), false);
    });

    it('replaces a private key only while it still is the expected one', async () => {
      const key = storedKey({ privateJwk: '{"kty":"EC","d":"secret"}', encryption: 'none' });
      await s.insertSigningKey(key);
      const sealed = { privateJwk: 'v1.a.b.c', encryption: 'A256GCM-HKDF-SHA256' };
      assert.equal(await s.replacePrivateKey(key.kid, { privateJwk: 'stale', encryption: 'none' }, sealed), false);
      assert.equal(await s.replacePrivateKey(key.kid, key, sealed), true);
      assert.equal(await peer.replacePrivateKey(key.kid, key, { privateJwk: 'v1.x.y.z', encryption: 'A256GCM-HKDF-SHA256' }), false);
      assert.deepEqual(await s.listSigningKeys(), [{ ...key, ...sealed }]);
    });

    it('deletes the keys named and says how many', async () => {
      const [a, b, c] = [storedKey({ generation: 0 }), storedKey({ generation: 1 }), storedKey({ generation: 2 })];
      for (const key of [a, b, c]) await s.insertSigningKey(key);
      assert.equal(await s.deleteSigningKeys([]), 0);
      assert.equal(await s.deleteSigningKeys([a!.kid, c!.kid, 'no-such-kid']), 2);
      assert.deepEqual(await s.listSigningKeys(), [b]);
    });

    it('three openers at once on an empty database end with exactly one current key per algorithm, the same for all', async () => {
      const config = { keysSecret: 'a secret of thirty-two characters or more', keyPropagationSeconds: 900, lifetimes: { idToken: 3600 } };
      const openers = await Promise.all(opened.stores.map((store) => createSigningKeys(store, config)));
      try {
        const rows = await s.listSigningKeys();
        assert.deepEqual(rows.map((row) => [row.alg, row.generation]).sort(), JWS_ALGS.map((alg) => [alg, 0]).sort());
        const lists = await Promise.all(openers.map((o) => o.keys.list()));
        for (const list of lists) {
          assert.deepEqual(list.map((key) => key.state), ['current', 'current', 'current', 'current']);
          assert.deepEqual(list.map((key) => key.kid), lists[0]!.map((key) => key.kid));
        }
        const kids = Object.fromEntries(rows.map((row) => [row.alg, row.kid]));
        for (const o of openers) assert.deepEqual(o.signer.currentKids(), kids);
      } finally {
        for (const o of openers) o.close();
      }
    });
  });
}
