/** SPEC §7 Keys: the Signer signs with the current key of each algorithm and verifies only what our published keys signed. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CompactSign, createLocalJWKSet, decodeProtectedHeader, generateKeyPair, jwtVerify } from 'jose';
import { JWS_ALGS, type JwsAlg } from '../../src/core/signing.js';
import { createSigningKeys, MemoryKeyStore, type OpenedSigner } from '../../src/storage/keys/index.js';
import { fakeClock } from '../helpers/fixtures.js';

const CONFIG = { keysSecret: undefined, keyPropagationSeconds: 900, lifetimes: { idToken: 3600 } };
const KTY: Record<JwsAlg, string> = { RS256: 'RSA', PS256: 'RSA', ES256: 'EC', EdDSA: 'OKP' };
const PUBLIC_MEMBERS: Record<JwsAlg, string[]> = { RS256: ['e', 'n'], PS256: ['e', 'n'], ES256: ['crv', 'x', 'y'], EdDSA: ['crv', 'x'] };
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** The same JWS with another protected header (the signature no longer covers it). */
const withHeader = (jws: string, header: Record<string, unknown>) => [b64(header), ...jws.split('.').slice(1)].join('.');

describe('Signer (memory key store)', () => {
  const clock = fakeClock(Date.now());
  let opened: OpenedSigner;
  before(async () => {
    opened = await createSigningKeys(new MemoryKeyStore(), CONFIG, undefined, { clock });
  });
  after(() => opened.close());

  for (const alg of JWS_ALGS) {
    it(`signs with the current ${alg} key: jose verifies it against the JWKS, header kid/alg/typ`, async () => {
      const jwks = await opened.signer.jwks();
      const current = (await opened.keys.list()).find((key) => key.alg === alg && key.state === 'current')!;
      const nowSeconds = Math.floor(clock.now() / 1000);
      const jws = await opened.signer.sign({ iss: 'https://issuer.example', sub: '42', aud: 'client', iat: nowSeconds, exp: nowSeconds + 60 }, { alg });
      const { payload, protectedHeader } = await jwtVerify(jws, createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]), {
        issuer: 'https://issuer.example',
        audience: 'client',
        currentDate: new Date(clock.now()),
      });
      assert.deepEqual(protectedHeader, { alg, kid: current.kid, typ: 'JWT' });
      assert.deepEqual(payload, { iss: 'https://issuer.example', sub: '42', aud: 'client', iat: nowSeconds, exp: nowSeconds + 60 });
      assert.deepEqual(await opened.signer.verify(jws), { header: { alg, kid: current.kid, typ: 'JWT' }, payload });
    });
  }

  it('takes typ from the caller (logout+jwt, at+jwt)', async () => {
    const jws = await opened.signer.sign({ sub: '1' }, { alg: 'ES256', typ: 'logout+jwt' });
    assert.equal(decodeProtectedHeader(jws).typ, 'logout+jwt');
  });

  it('publishes one key per algorithm: kid, kty, alg, use sig and the public members only', async () => {
    const { keys } = await opened.signer.jwks();
    const list = await opened.keys.list();
    assert.deepEqual(keys.map((key) => key['alg']), ['RS256', 'PS256', 'ES256', 'EdDSA']);
    for (const key of keys) {
      const alg = key['alg'] as JwsAlg;
      assert.deepEqual(Object.keys(key).sort(), ['alg', 'kid', 'kty', 'use', ...PUBLIC_MEMBERS[alg]].sort());
      assert.equal(key['kty'], KTY[alg]);
      assert.equal(key['use'], 'sig');
      assert.equal(key['kid'], list.find((info) => info.alg === alg)!.kid);
    }
    const text = JSON.stringify(keys);
    for (const member of ['"d"', '"p"', '"q"', '"dp"', '"dq"', '"qi"']) assert.ok(!text.includes(member), `${member} in the JWKS`);
  });

  it('verifies nothing signed by a foreign key, even under one of our kids', async () => {
    const ours = (await opened.keys.list()).find((key) => key.alg === 'ES256')!;
    const foreign = await generateKeyPair('ES256');
    for (const kid of [ours.kid, 'not-a-kid-of-ours']) {
      const jws = await new CompactSign(Buffer.from(JSON.stringify({ sub: '1' }))).setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' }).sign(foreign.privateKey);
      assert.equal(await opened.signer.verify(jws), undefined, kid);
    }
    const noKid = await new CompactSign(Buffer.from('{"sub":"1"}')).setProtectedHeader({ alg: 'ES256' }).sign(foreign.privateKey);
    assert.equal(await opened.signer.verify(noKid), undefined);
  });

  it('verifies nothing whose header names another alg than its key, nor alg none, nor garbage', async () => {
    const jws = await opened.signer.sign({ sub: '1' }, { alg: 'RS256' });
    const header = decodeProtectedHeader(jws);
    assert.ok(await opened.signer.verify(jws));
    assert.equal(await opened.signer.verify(withHeader(jws, { ...header, alg: 'PS256' })), undefined);
    assert.equal(await opened.signer.verify(withHeader(jws, { ...header, alg: 'none' })), undefined);
    assert.equal(await opened.signer.verify(`${jws.split('.').slice(0, 2).join('.')}.`), undefined);
    assert.equal(await opened.signer.verify('not.a.jws'), undefined);
    assert.equal(await opened.signer.verify(''), undefined);
  });

  it('checks exp only when asked: an expired token verifies without checkExpiry and not with it', async () => {
    const nowSeconds = Math.floor(clock.now() / 1000);
    const expired = await opened.signer.sign({ sub: '1', exp: nowSeconds - 1 }, { alg: 'EdDSA' });
    assert.deepEqual((await opened.signer.verify(expired))?.payload, { sub: '1', exp: nowSeconds - 1 });
    assert.equal(await opened.signer.verify(expired, { checkExpiry: true }), undefined);
    assert.deepEqual((await opened.signer.verify(expired, { checkExpiry: true, now: (nowSeconds - 2) * 1000 }))?.payload, { sub: '1', exp: nowSeconds - 1 });
    const noExp = await opened.signer.sign({ sub: '1' }, { alg: 'EdDSA' });
    assert.equal(await opened.signer.verify(noExp, { checkExpiry: true }), undefined);
  });
});
