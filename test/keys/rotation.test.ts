/**
 * SPEC §7 Keys: states come from timestamps (an injected clock here). A rotated-in key is
 * `next` (published) for the propagation delay, then `current`; the key it replaces is
 * `previous`, published for the id_token lifetime more, then gone; retire removes a previous key now.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { SigningKeyError, type JwsAlg, type SigningKeyInfo } from '../../src/core/signing.js';
import { createSigningKeys, MemoryKeyStore, type OpenedSigner } from '../../src/storage/keys/index.js';
import { fakeClock, T0, type TestClock } from '../helpers/fixtures.js';

const PROPAGATION = 900;
const WINDOW = 3600;
const CONFIG = { keysSecret: undefined, keyPropagationSeconds: PROPAGATION, lifetimes: { idToken: WINDOW } };

const states = (list: SigningKeyInfo[], alg: JwsAlg) => list.filter((key) => key.alg === alg).map((key) => [key.kid, key.state]);
const jwksKids = async (opened: OpenedSigner) => (await opened.signer.jwks()).keys.map((key) => key['kid']);
const signedKid = async (opened: OpenedSigner, alg: JwsAlg) => JSON.parse(Buffer.from((await opened.signer.sign({ sub: '1' }, { alg })).split('.')[0]!, 'base64url').toString()).kid;

async function rejectsWithKeyError(promise: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof SigningKeyError, String(error));
    assert.equal(error.message, message);
    return true;
  });
}

describe('key rotation', () => {
  let clock: TestClock;
  let opened: OpenedSigner;
  let first: Record<JwsAlg, string>;
  beforeEach(async () => {
    clock = fakeClock(T0);
    opened = await createSigningKeys(new MemoryKeyStore(), CONFIG, undefined, { clock });
    first = Object.fromEntries((await opened.keys.list()).map((key) => [key.alg, key.kid])) as Record<JwsAlg, string>;
  });

  it('first start makes exactly one current key per algorithm, created and active now', async () => {
    assert.deepEqual(
      (await opened.keys.list()).map(({ alg, state, createdAt, activatesAt }) => ({ alg, state, createdAt, activatesAt })),
      ['RS256', 'PS256', 'ES256', 'EdDSA'].map((alg) => ({ alg, state: 'current', createdAt: T0, activatesAt: T0 })),
    );
    assert.deepEqual(await opened.keys.ensure(), []);
    opened.close();
  });

  it('rotate: next (published, not signing) until the propagation delay, then current; the old key previous, published for the window, then gone', async () => {
    const [made] = await opened.keys.rotate({ alg: 'ES256' });
    assert.deepEqual(made, { kid: made!.kid, alg: 'ES256', state: 'next', createdAt: T0, activatesAt: T0 + PROPAGATION * 1000 });
    assert.deepEqual(states(await opened.keys.list(), 'ES256'), [[first.ES256, 'current'], [made!.kid, 'next']]);
    assert.ok((await jwksKids(opened)).includes(made!.kid));
    assert.equal(await signedKid(opened, 'ES256'), first.ES256);
    const oldToken = await opened.signer.sign({ sub: 'old' }, { alg: 'ES256' });

    clock.advance(PROPAGATION - 1);
    assert.equal(await signedKid(opened, 'ES256'), first.ES256);
    clock.advance(1);
    assert.deepEqual(states(await opened.keys.list(), 'ES256'), [[first.ES256, 'previous'], [made!.kid, 'current']]);
    assert.equal(await signedKid(opened, 'ES256'), made!.kid);
    assert.deepEqual((await opened.signer.verify(oldToken))?.payload, { sub: 'old' });
    assert.ok((await jwksKids(opened)).includes(first.ES256));

    clock.advance(WINDOW - 1);
    assert.ok((await jwksKids(opened)).includes(first.ES256));
    clock.advance(1);
    assert.deepEqual(states(await opened.keys.list(), 'ES256'), [[made!.kid, 'current']]);
    assert.ok(!(await jwksKids(opened)).includes(first.ES256));
    assert.equal(await opened.signer.verify(oldToken), undefined);
    // Other algorithms are untouched.
    assert.deepEqual(states(await opened.keys.list(), 'RS256'), [[first.RS256, 'current']]);
    opened.close();
  });

  it('rotate --activate-now: the new key signs at once; the old one is previous for the window', async () => {
    const [made] = await opened.keys.rotate({ alg: 'EdDSA', activateNow: true });
    assert.deepEqual(made, { kid: made!.kid, alg: 'EdDSA', state: 'current', createdAt: T0, activatesAt: T0 });
    assert.deepEqual(states(await opened.keys.list(), 'EdDSA'), [[first.EdDSA, 'previous'], [made!.kid, 'current']]);
    assert.equal(await signedKid(opened, 'EdDSA'), made!.kid);
    clock.advance(WINDOW);
    assert.deepEqual(states(await opened.keys.list(), 'EdDSA'), [[made!.kid, 'current']]);
    opened.close();
  });

  it('rotate without --alg makes a next key for every algorithm that has a current key', async () => {
    const made = await opened.keys.rotate();
    assert.deepEqual(made.map((key) => [key.alg, key.state]), [['RS256', 'next'], ['PS256', 'next'], ['ES256', 'next'], ['EdDSA', 'next']]);
    assert.equal((await jwksKids(opened)).length, 8);
    opened.close();
  });

  it('retire removes a previous key from the JWKS at once and refuses current, next and unknown keys', async () => {
    const old = await opened.signer.sign({ sub: 'old' }, { alg: 'PS256' });
    const [current] = await opened.keys.rotate({ alg: 'PS256', activateNow: true });
    const [next] = await opened.keys.rotate({ alg: 'PS256' });
    await rejectsWithKeyError(
      opened.keys.retire(current!.kid),
      `signing key ${current!.kid} is the current PS256 key and cannot be retired: it signs now: rotate first (\`gatehouse keys rotate --alg PS256\`) and retire it once it is previous`,
    );
    await rejectsWithKeyError(opened.keys.retire(next!.kid), `signing key ${next!.kid} is the next PS256 key and cannot be retired: it is about to sign`);
    await rejectsWithKeyError(opened.keys.retire('no-such-kid'), 'no signing key with kid no-such-kid');

    assert.deepEqual(await opened.keys.retire(first.PS256), { kid: first.PS256, alg: 'PS256', state: 'previous', createdAt: T0, activatesAt: T0 });
    assert.ok(!(await jwksKids(opened)).includes(first.PS256));
    assert.equal(await opened.signer.verify(old), undefined);
    assert.deepEqual(states(await opened.keys.list(), 'PS256'), [[current!.kid, 'current'], [next!.kid, 'next']]);
    await rejectsWithKeyError(opened.keys.retire(first.PS256), `signing key ${first.PS256} is already retired or expired: it is no longer published`);
    opened.close();
  });
});
