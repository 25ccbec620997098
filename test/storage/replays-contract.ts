/**
 * The contract of the replay cache (core/replays.ts) for memory, SQLite and
 * PostgreSQL. `open` gives a fresh database reached through two connections,
 * as two instances would: a key is a first use on exactly one of them.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { ReplayCache } from '../../src/core/replays.js';
import { T0 } from '../helpers/fixtures.js';

export interface OpenedReplayCaches {
  caches: [ReplayCache, ReplayCache];
  close(): Promise<void>;
}

export function replayCacheContract(name: string, open: () => Promise<OpenedReplayCaches>): void {
  describe(`${name} replay cache contract`, () => {
    let opened: OpenedReplayCaches;
    let cache: ReplayCache;
    let peer: ReplayCache;
    beforeEach(async () => {
      opened = await open();
      [cache, peer] = opened.caches;
    });
    afterEach(() => opened.close());

    it('answers true once for a key, then false on every connection while it lives', async () => {
      assert.equal(await cache.firstUse('dpop:a', T0 + 60_000, T0), true);
      assert.equal(await cache.firstUse('dpop:a', T0 + 60_000, T0 + 1), false);
      assert.equal(await peer.firstUse('dpop:a', T0 + 90_000, T0 + 2), false);
      assert.equal(await peer.firstUse('dpop:b', T0 + 60_000, T0 + 2), true);
    });

    it('gives exactly one of 40 racing callers on two connections the first use', async () => {
      const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? cache : peer).firstUse('race', T0 + 60_000, T0)));
      assert.equal(answers.filter(Boolean).length, 1);
    });

    it('lets a key be used again once its record expired, and not before', async () => {
      assert.equal(await cache.firstUse('k', T0 + 1_000, T0), true);
      assert.equal(await peer.firstUse('k', T0 + 5_000, T0 + 999), false);
      assert.equal(await peer.firstUse('k', T0 + 5_000, T0 + 1_000), true);
      assert.equal(await cache.firstUse('k', T0 + 9_000, T0 + 4_999), false, 'the new record holds until its own expiry');
    });

    it('keeps keys of any length apart (long jti values are not truncated into each other)', async () => {
      const long = 'x'.repeat(5_000);
      assert.equal(await cache.firstUse(`${long}1`, T0 + 60_000, T0), true);
      assert.equal(await cache.firstUse(`${long}2`, T0 + 60_000, T0), true);
      assert.equal(await cache.firstUse(`${long}1`, T0 + 60_000, T0), false);
    });

    it('deletes expired records only, in bounded batches', async () => {
      for (let i = 0; i < 5; i += 1) await cache.firstUse(`old${i}`, T0 + 1_000, T0);
      await cache.firstUse('live', T0 + 60_000, T0);
      assert.equal(await peer.deleteExpired(T0 + 2_000, 3), 3);
      assert.equal(await peer.deleteExpired(T0 + 2_000, 3), 2);
      assert.equal(await peer.deleteExpired(T0 + 2_000, 3), 0);
      assert.equal(await cache.firstUse('live', T0 + 60_000, T0 + 2_000), false, 'the live record survived');
    });
  });
}
