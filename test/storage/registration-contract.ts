/** The initial access token store (core/initial-access-tokens.ts), one contract for memory, SQLite and PostgreSQL. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { InitialAccessTokenStore } from '../../src/core/initial-access-tokens.js';
import { createInitialAccessToken, spendInitialAccessToken } from '../../src/core/initial-access-tokens.js';
import { hashSecret } from '../../src/core/tokens.js';

export function initialAccessTokenContract(name: string, open: () => Promise<{ store: InitialAccessTokenStore; close(): Promise<void> }>): void {
  describe(`${name} initial access token store`, () => {
    test('keeps only the hash; N uses admit exactly N spends however they race; wrong secrets spend nothing', async () => {
      const { store, close } = await open();
      try {
        const now = Date.now();
        const made = await createInitialAccessToken(store, { uses: 3, expiresSeconds: 60, now });
        const id = Number(made.token.split('.')[0]);
        const row = await store.findInitialAccessToken(id);
        assert.equal(row?.secretHash, hashSecret(made.token.split('.')[1]!));
        assert.equal(await spendInitialAccessToken(store, `${id}.wrong`, now), false);
        const spent = await Promise.all(Array.from({ length: 8 }, () => spendInitialAccessToken(store, made.token, now)));
        assert.equal(spent.filter(Boolean).length, 3);
        assert.equal((await store.findInitialAccessToken(id))?.usesLeft, 0);
      } finally {
        await close();
      }
    });

    test('an expired token is never spent, and the cleanup deletes spent and expired tokens only', async () => {
      const { store, close } = await open();
      try {
        const now = Date.now();
        await store.deleteSpentInitialAccessTokens(now, 100); // what an earlier test of a shared database left
        const expired = await createInitialAccessToken(store, { uses: 2, expiresSeconds: 1, now: now - 10_000 });
        const used = await createInitialAccessToken(store, { uses: 1, expiresSeconds: 60, now });
        const live = await createInitialAccessToken(store, { uses: 1, expiresSeconds: 60, now });
        assert.equal(await spendInitialAccessToken(store, expired.token, now), false);
        assert.equal(await spendInitialAccessToken(store, used.token, now), true);
        assert.equal(await store.deleteSpentInitialAccessTokens(now, 100), 2);
        assert.equal(await spendInitialAccessToken(store, live.token, now), true);
      } finally {
        await close();
      }
    });
  });
}
