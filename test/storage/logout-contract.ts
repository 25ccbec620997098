/**
 * The contract of the session-apps store and the back-channel logout outbox
 * (memory, SQLite, PostgreSQL). `open` gives a fresh database reached through
 * two connections (as two instances would); claims must be exclusive across them.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { LogoutOutbox, SessionAppStore } from '../../src/core/logout.js';
import { T0 } from '../helpers/fixtures.js';

export interface OpenedLogoutStores {
  sessionApps: SessionAppStore;
  /** Two outboxes over one database, each on its own connection where the store has connections. */
  outboxes: [LogoutOutbox, LogoutOutbox];
  close(): Promise<void>;
}

export function logoutStoreContract(name: string, open: () => Promise<OpenedLogoutStores>): void {
  describe(`${name} session-apps and logout outbox contract`, () => {
    let opened: OpenedLogoutStores;
    let apps: SessionAppStore;
    let outbox: LogoutOutbox;
    let peer: LogoutOutbox;
    beforeEach(async () => {
      opened = await open();
      apps = opened.sessionApps;
      [outbox, peer] = opened.outboxes;
    });
    afterEach(() => opened.close());

    it('records a session-app once per (sid, client), keeping the first time', async () => {
      await apps.recordSessionApp({ sid: 's1', clientId: 'a', uid: 'u1', createdAt: T0 });
      await apps.recordSessionApp({ sid: 's1', clientId: 'a', uid: 'u1', createdAt: T0 + 5 });
      await apps.recordSessionApp({ sid: 's1', clientId: 'b', uid: 'u1', createdAt: T0 + 1 });
      await apps.recordSessionApp({ sid: 's2', clientId: 'a', uid: 'u1', createdAt: T0 + 2 });
      await apps.recordSessionApp({ sid: 's3', clientId: 'a', uid: 'u2', createdAt: T0 + 3 });
      assert.deepEqual(await apps.listSessionApps('s1'), [
        { sid: 's1', clientId: 'a', uid: 'u1', createdAt: T0 },
        { sid: 's1', clientId: 'b', uid: 'u1', createdAt: T0 + 1 },
      ]);
      assert.deepEqual((await apps.listUserSessionApps('u1', 'a')).map((row) => row.sid), ['s1', 's2']);
      assert.deepEqual((await apps.listUserSessionApps('u1')).map((row) => `${row.sid}/${row.clientId}`), ['s1/a', 's1/b', 's2/a']);
      assert.deepEqual(await apps.listSessionApps('nope'), []);
    });

    it('deletes session-apps by session, by user and app, by user, and by age in bounded batches', async () => {
      for (let i = 0; i < 5; i++) await apps.recordSessionApp({ sid: `old${i}`, clientId: 'a', uid: 'u9', createdAt: T0 + i });
      await apps.recordSessionApp({ sid: 's1', clientId: 'a', uid: 'u1', createdAt: T0 + 100 });
      await apps.recordSessionApp({ sid: 's1', clientId: 'b', uid: 'u1', createdAt: T0 + 100 });
      await apps.recordSessionApp({ sid: 's2', clientId: 'a', uid: 'u1', createdAt: T0 + 100 });
      await apps.recordSessionApp({ sid: 's3', clientId: 'c', uid: 'u2', createdAt: T0 + 100 });
      assert.equal(await apps.deleteSessionAppsBefore(T0 + 50, 3), 3);
      assert.equal(await apps.deleteSessionAppsBefore(T0 + 50, 3), 2);
      assert.equal(await apps.deleteSessionAppsBefore(T0 + 50, 3), 0);
      assert.equal(await apps.deleteSessionApps({ uid: 'u1', clientId: 'a' }), 2);
      assert.deepEqual((await apps.listUserSessionApps('u1')).map((row) => `${row.sid}/${row.clientId}`), ['s1/b']);
      assert.equal(await apps.deleteSessionApps({ sid: 's1' }), 1);
      assert.equal(await apps.deleteSessionApps({ uid: 'u2' }), 1);
      assert.deepEqual(await apps.listUserSessionApps('u2'), []);
    });

    it('enqueues each (session, app) once; a delivery without a session is never a duplicate', async () => {
      await outbox.enqueueLogouts([{ clientId: 'a', uid: 'u1', sid: 's1' }, { clientId: 'b', uid: 'u1', sid: 's1' }], T0);
      await peer.enqueueLogouts([{ clientId: 'a', uid: 'u1', sid: 's1' }], T0 + 1);
      await outbox.enqueueLogouts([{ clientId: 'a', uid: 'u1', sid: null }, { clientId: 'a', uid: 'u1', sid: null }], T0 + 2);
      const rows = await outbox.listLogouts();
      assert.equal(rows.length, 4);
      const a1 = rows.find((row) => row.clientId === 'a' && row.sid === 's1')!;
      assert.deepEqual({ ...a1, id: 0 }, { id: 0, clientId: 'a', uid: 'u1', sid: 's1', state: 'pending', attempts: 0, nextAttemptAt: T0, createdAt: T0, finishedAt: null, lastError: null });
      assert.deepEqual(await outbox.findLogout(a1.id), a1);
      assert.equal((await outbox.listLogouts({ clientId: 'b' })).length, 1);
      assert.equal((await outbox.listLogouts({ limit: 2 })).length, 2);
    });

    it('claims only due pending rows, holds them for the lease, and lets a lapsed claim go', async () => {
      await outbox.enqueueLogouts([{ clientId: 'a', uid: 'u1', sid: 's1' }], T0);
      await outbox.enqueueLogouts([{ clientId: 'b', uid: 'u1', sid: 's1' }], T0 + 10_000);
      const first = await outbox.claimDueLogouts(T0 + 1, 30_000, 10);
      assert.deepEqual(first.map((c) => c.delivery.clientId), ['a']);
      assert.deepEqual(await peer.claimDueLogouts(T0 + 2, 30_000, 10), [], 'a claimed row is not claimed again within the lease');
      const lapsed = await peer.claimDueLogouts(T0 + 30_001, 30_000, 10);
      assert.deepEqual(lapsed.map((c) => c.delivery.clientId).sort(), ['a', 'b']);
      // The first claimer's claim is gone: it cannot record an outcome over the new one.
      assert.equal(await outbox.markLogoutDelivered(first[0]!.delivery.id, first[0]!.claim, T0 + 30_002), false);
      const a = lapsed.find((c) => c.delivery.clientId === 'a')!;
      assert.equal(await peer.markLogoutDelivered(a.delivery.id, a.claim, T0 + 30_003), true);
      assert.equal(await peer.markLogoutDelivered(a.delivery.id, a.claim, T0 + 30_004), false, 'once');
      const done = await outbox.findLogout(a.delivery.id);
      assert.equal(done?.state, 'delivered');
      assert.equal(done?.finishedAt, T0 + 30_003);
      assert.deepEqual(await outbox.claimDueLogouts(T0 + 50_000, 30_000, 10), [], 'the delivered row and the held one are not claimed');
      assert.deepEqual((await outbox.claimDueLogouts(T0 + 60_001, 30_000, 10)).map((c) => c.delivery.clientId), ['b'], 'the held one, once its claim lapsed');
    });

    it('a retry counts the attempt, keeps the reason and comes due again; giving up keeps the row as failed', async () => {
      await outbox.enqueueLogouts([{ clientId: 'a', uid: 'u1', sid: 's1' }], T0);
      const [claimed] = await outbox.claimDueLogouts(T0, 30_000, 10);
      assert.equal(await outbox.retryLogout(claimed!.delivery.id, claimed!.claim, T0 + 5_000, 'HTTP 500'), true);
      assert.equal(await outbox.retryLogout(claimed!.delivery.id, claimed!.claim, T0 + 5_000, 'HTTP 500'), false, 'a claim is used once');
      let row = await outbox.findLogout(claimed!.delivery.id);
      assert.deepEqual([row?.state, row?.attempts, row?.nextAttemptAt, row?.lastError], ['pending', 1, T0 + 5_000, 'HTTP 500']);
      assert.deepEqual(await outbox.claimDueLogouts(T0 + 4_999, 30_000, 10), []);
      const [again] = await peer.claimDueLogouts(T0 + 5_000, 30_000, 10);
      assert.equal(again?.delivery.attempts, 1);
      assert.equal(await peer.failLogout(again!.delivery.id, again!.claim, T0 + 6_000, 'refused'), true);
      row = await outbox.findLogout(claimed!.delivery.id);
      assert.deepEqual([row?.state, row?.attempts, row?.finishedAt, row?.lastError], ['failed', 2, T0 + 6_000, 'refused']);
      assert.equal((await outbox.listLogouts({ state: 'failed' })).length, 1);
      assert.deepEqual(await outbox.claimDueLogouts(T0 + 999_999, 30_000, 10), []);
    });

    it('gc deletes only finished rows finished before the bound, in batches', async () => {
      const rows = Array.from({ length: 5 }, (_, i) => ({ clientId: 'a', uid: 'u1', sid: `s${i}` }));
      await outbox.enqueueLogouts(rows, T0);
      const claimed = await outbox.claimDueLogouts(T0, 30_000, 10);
      assert.equal(claimed.length, 5);
      for (const [i, c] of claimed.entries()) {
        if (i < 3) await outbox.markLogoutDelivered(c.delivery.id, c.claim, T0 + 1);
        else if (i === 3) await outbox.failLogout(c.delivery.id, c.claim, T0 + 1, 'gone');
      }
      assert.equal(await outbox.deleteFinishedLogouts(T0 + 1, 10), 0, 'finished at the bound: kept');
      assert.equal(await outbox.deleteFinishedLogouts(T0 + 2, 3), 3);
      assert.equal(await outbox.deleteFinishedLogouts(T0 + 2, 3), 1);
      const left = await outbox.listLogouts();
      assert.deepEqual(left.map((row) => row.state), ['pending'], 'a pending row is never deleted');
    });

    it('claims are exclusive when two connections race for many rows', async () => {
      const rows = Array.from({ length: 60 }, (_, i) => ({ clientId: `c${i % 3}`, uid: 'u1', sid: `race${i}` }));
      await outbox.enqueueLogouts(rows, T0);
      const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? outbox : peer).claimDueLogouts(T0 + 1, 30_000, 10)));
      const ids = claims.flat().map((c) => c.delivery.id);
      assert.equal(new Set(ids).size, ids.length, 'no row claimed twice');
      // Whatever the interleaving, every row was claimed by exactly one caller (8 × 10 ≥ 60), or is still claimable.
      const rest = await outbox.claimDueLogouts(T0 + 1, 30_000, 100);
      assert.equal(ids.length + rest.length, 60);
      assert.equal(new Set([...ids, ...rest.map((c) => c.delivery.id)]).size, 60);
    });
  });
}
