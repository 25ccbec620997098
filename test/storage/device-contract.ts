/**
 * The DeviceStore contract (ARCHITECTURE example 9): memory, SQLite and
 * PostgreSQL pass these same tests. Racing calls go through two connections
 * when the store has a peer, as two instances of the server would.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { NewDeviceAuthorization } from '../../src/core/model.js';
import type { DeviceStore } from '../../src/core/ports.js';
import { hashSecret, mintSecret, randomId } from '../../src/core/tokens.js';
import { T0 } from '../helpers/fixtures.js';

export interface OpenedDeviceStores {
  devices: DeviceStore;
  /** A second connection to the same database, when there is one. */
  peer?: DeviceStore;
  close(): Promise<void>;
}

const MINUTE = 60_000;

function newDevice(overrides: Partial<NewDeviceAuthorization> = {}): NewDeviceAuthorization {
  return {
    secretHash: hashSecret(mintSecret()),
    userCodeHash: hashSecret(`user_code:${randomId()}`),
    clientId: `client-${randomId()}`,
    scope: ['basic', 'email'],
    interval: 5,
    createdAt: T0,
    expiresAt: T0 + 30 * MINUTE,
    ...overrides,
  };
}

export function deviceStoreContract(name: string, open: () => Promise<OpenedDeviceStores>): void {
  describe(`${name} device store contract`, () => {
    let opened: OpenedDeviceStores;
    let s: DeviceStore;
    // Racing callers alternate between the two connections when there are two.
    const racer = (index: number): DeviceStore => (opened.peer !== undefined && index % 2 === 1 ? opened.peer : s);
    before(async () => {
      opened = await open();
      s = opened.devices;
    });
    after(async () => {
      await opened.close();
    });

    it('saves a pending authorization and finds it by id and by user code hash with every field', async () => {
      const fields = newDevice();
      const id = await s.saveDevice(fields);
      assert.ok(typeof id === 'number' && id > 0);
      const expected = { ...fields, id, status: 'pending', uid: null, lastPollAt: null, consumedAt: null, signIn: null };
      assert.deepEqual(await s.findDevice(id), expected);
      assert.deepEqual(await s.findDeviceByUserCode(fields.userCodeHash), expected);
      assert.equal(await s.findDevice(id + 1), undefined);
      assert.equal(await s.findDeviceByUserCode(hashSecret('nobody')), undefined);
    });

    it('keeps the RFC 8707 resources of a device authorization', async () => {
      const fields = newDevice({ resources: ['https://api.example.com/', 'urn:example:photos'] });
      const id = (await s.saveDevice(fields))!;
      assert.deepEqual((await s.findDevice(id))?.resources, ['https://api.example.com/', 'urn:example:photos']);
    });

    it('refuses a second authorization with a user code hash already taken, returning undefined', async () => {
      const first = newDevice();
      assert.notEqual(await s.saveDevice(first), undefined);
      assert.equal(await s.saveDevice(newDevice({ userCodeHash: first.userCodeHash })), undefined);
    });

    it('records the first decision only, with the person, and none once expired', async () => {
      const id = (await s.saveDevice(newDevice()))!;
      assert.equal(await s.decideDevice(id, 'approved', 'user-1', T0 + MINUTE), true);
      assert.equal(await s.decideDevice(id, 'denied', 'user-2', T0 + MINUTE), false);
      const device = await s.findDevice(id);
      assert.equal(device?.status, 'approved');
      assert.equal(device?.uid, 'user-1');

      const late = (await s.saveDevice(newDevice()))!;
      assert.equal(await s.decideDevice(late, 'denied', 'user-1', T0 + 30 * MINUTE), false);
      assert.equal((await s.findDevice(late))?.status, 'pending');
    });

    it('keeps the approving session (auth_time, sid) with an OpenID approval, and nothing without one', async () => {
      const id = (await s.saveDevice(newDevice()))!;
      assert.equal(await s.decideDevice(id, 'approved', 'user-1', T0 + MINUTE, { authTime: T0 - 1000, sid: 'sid-device' }), true);
      assert.deepEqual((await s.findDevice(id))?.signIn, { authTime: T0 - 1000, sid: 'sid-device' });
      const plain = (await s.saveDevice(newDevice()))!;
      assert.equal(await s.decideDevice(plain, 'approved', 'user-1', T0 + MINUTE), true);
      assert.equal((await s.findDevice(plain))?.signIn, null);
    });

    it('lets the first poll pass, slows down a poll within the interval by 5 s, and counts it as the previous poll', async () => {
      const id = (await s.saveDevice(newDevice()))!;
      assert.deepEqual(await s.recordPoll(id, T0 + 1000, 5), { passed: true });
      assert.deepEqual(await s.recordPoll(id, T0 + 5999, 5), { passed: false, interval: 10 });
      // 10 s after the slowed poll, not after the passing one.
      assert.deepEqual(await s.recordPoll(id, T0 + 15_998, 5), { passed: false, interval: 15 });
      assert.deepEqual(await s.recordPoll(id, T0 + 15_998 + 15_000, 5), { passed: true });
      const device = await s.findDevice(id);
      assert.equal(device?.interval, 15);
      assert.equal(device?.lastPollAt, T0 + 30_998);
    });

    it('lets at most one of ten racing polls pass the interval check', async () => {
      const id = (await s.saveDevice(newDevice()))!;
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => racer(i).recordPoll(id, T0 + 1000, 5)));
      assert.equal(results.filter((r) => r.passed).length, 1);
      assert.equal((await s.findDevice(id))?.interval, 5 + 9 * 5);
    });

    it('consumes an approved authorization for exactly one of ten racing callers, and never a pending one', async () => {
      const pending = (await s.saveDevice(newDevice()))!;
      assert.equal(await s.consumeDevice(pending, T0), false);
      const id = (await s.saveDevice(newDevice()))!;
      await s.decideDevice(id, 'approved', 'user-1', T0);
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => racer(i).consumeDevice(id, T0 + 1)));
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal((await s.findDevice(id))?.consumedAt, T0 + 1);
      const denied = (await s.saveDevice(newDevice()))!;
      await s.decideDevice(denied, 'denied', 'user-1', T0);
      assert.equal(await s.consumeDevice(denied, T0), false);
    });

    it('deletes at most `limit` expired authorizations per call, never a live one, and frees their user codes', async () => {
      // Far in the past, so rows of other tests (expiring at T0 + 30 min) are left alone.
      const past = T0 - 365 * 24 * 60 * MINUTE;
      const expired = [newDevice({ createdAt: past, expiresAt: past + 1 }), newDevice({ createdAt: past, expiresAt: past + 2 }), newDevice({ createdAt: past, expiresAt: past + 3 })];
      const ids = [];
      for (const fields of expired) ids.push((await s.saveDevice(fields))!);
      const live = (await s.saveDevice(newDevice({ createdAt: past, expiresAt: past + 60 * MINUTE })))!;
      assert.equal(await s.deleteExpired(past + 10, 2), 2);
      assert.equal(await s.deleteExpired(past + 10, 2), 1);
      assert.equal(await s.deleteExpired(past + 10, 2), 0);
      for (const id of ids) assert.equal(await s.findDevice(id), undefined);
      assert.notEqual(await s.findDevice(live), undefined);
      assert.notEqual(await s.saveDevice(newDevice({ userCodeHash: expired[0]!.userCodeHash })), undefined);
    });
  });
}
