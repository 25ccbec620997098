import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { checkProof, type DpopDeps } from '../../src/core/dpop.js';
import { HmacNonces } from '../../src/core/dpop-nonce.js';
import { OAuthError } from '../../src/core/errors.js';
import { MemoryReplayCache } from '../../src/storage/memory/replays.js';
import { joseProofSignature } from '../../src/storage/keys/jose-dpop.js';
import { hmacProof, makeProof, proofKey, unsignedProof } from '../helpers/dpop.js';

const HTU = 'https://gatehouse.example/oauth/2.0/token';

function deps(overrides: Partial<DpopDeps> = {}): DpopDeps {
  return { proofs: joseProofSignature, replays: new MemoryReplayCache(), nonces: undefined, now: Date.now(), ...overrides };
}

async function rejects(promise: Promise<unknown>, code: string, description: string | RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof OAuthError, String(error));
    assert.equal(error.code, code);
    if (typeof description === 'string') assert.equal(error.description, description);
    else assert.match(error.description, description);
    return true;
  });
}

describe('DPoP proof checks (RFC 9449 §4.3)', () => {
  for (const alg of ['ES256', 'EdDSA', 'RS256', 'PS256'] as const) {
    it(`accepts a fresh ${alg} proof and returns the key's RFC 7638 thumbprint`, async () => {
      const key = await proofKey(alg);
      const header = await makeProof(key, { htu: HTU });
      assert.deepEqual(await checkProof(deps(), { header, htm: 'POST', htu: HTU }), { jkt: key.jkt });
    });
  }

  it('accepts Ed25519, the fully specified name of EdDSA (RFC 9864), which oauth4webapi uses', async () => {
    const key = await proofKey('EdDSA');
    const header = await makeProof(key, { htu: HTU, header: { alg: 'Ed25519' } });
    assert.deepEqual(await checkProof(deps(), { header, htm: 'POST', htu: HTU }), { jkt: key.jkt });
  });

  it('compares htu without query or fragment and after normalisation (scheme, host case, default port)', async () => {
    const key = await proofKey();
    const header = await makeProof(key, { htu: 'HTTPS://Gatehouse.Example:443/oauth/2.0/token?x=1#y' });
    assert.deepEqual(await checkProof(deps(), { header, htm: 'POST', htu: HTU }), { jkt: key.jkt });
  });

  it('refuses a replayed jti, also when the second use comes to another endpoint', async () => {
    const key = await proofKey();
    const shared = deps();
    const header = await makeProof(key, { htu: HTU });
    await checkProof(shared, { header, htm: 'POST', htu: HTU });
    await rejects(checkProof(shared, { header, htm: 'POST', htu: HTU }), 'invalid_dpop_proof', "the DPoP proof's jti has been used before: make a new proof for every request");
    const same = await makeProof(key, { htu: 'https://gatehouse.example/oauth/2.0/userinfo', htm: 'GET', claims: { jti: 'reused-jti' } });
    const again = await makeProof(key, { htu: HTU, claims: { jti: 'reused-jti' } });
    await checkProof(shared, { header: again, htm: 'POST', htu: HTU });
    await rejects(checkProof(shared, { header: same, htm: 'GET', htu: 'https://gatehouse.example/oauth/2.0/userinfo' }), 'invalid_dpop_proof', /jti has been used before/);
  });

  it('records the jti until the iat window closes (then the cache may forget it)', async () => {
    const key = await proofKey();
    const recorded: number[] = [];
    const now = Date.now();
    const iat = Math.floor(now / 1000);
    const replays = { firstUse: async (_key: string, expiresAt: number) => (recorded.push(expiresAt), true) };
    await checkProof(deps({ replays, now }), { header: await makeProof(key, { htu: HTU, iat }), htm: 'POST', htu: HTU });
    assert.deepEqual(recorded, [(iat + 61) * 1000]);
  });

  it('refuses an htu of another endpoint and an htm of another method', async () => {
    const key = await proofKey();
    await rejects(
      checkProof(deps(), { header: await makeProof(key, { htu: 'https://gatehouse.example/oauth/2.0/userinfo' }), htm: 'POST', htu: HTU }),
      'invalid_dpop_proof',
      `the DPoP proof's htu does not match ${HTU}`,
    );
    await rejects(
      checkProof(deps(), { header: await makeProof(key, { htu: 'https://evil.example/oauth/2.0/token' }), htm: 'POST', htu: HTU }),
      'invalid_dpop_proof',
      `the DPoP proof's htu does not match ${HTU}`,
    );
    await rejects(
      checkProof(deps(), { header: await makeProof(key, { htu: HTU, htm: 'GET' }), htm: 'POST', htu: HTU }),
      'invalid_dpop_proof',
      "the DPoP proof's htm does not match the request method POST",
    );
  });

  it('names the expected htu percent-encoded, never the raw request path: the description reaches WWW-Authenticate (RFC 6750 §3)', async () => {
    const key = await proofKey();
    const raw = 'https://gatehouse.example/admin/v1/users/<x onerror="1">/disable';
    await rejects(
      checkProof(deps(), { header: await makeProof(key, { htu: HTU }), htm: 'POST', htu: raw }),
      'invalid_dpop_proof',
      "the DPoP proof's htu does not match https://gatehouse.example/admin/v1/users/%3Cx%20onerror=%221%22%3E/disable",
    );
  });

  it('refuses a stale iat and a future iat (±60 s)', async () => {
    const key = await proofKey();
    const now = Date.now();
    const seconds = Math.floor(now / 1000);
    await rejects(
      checkProof(deps({ now }), { header: await makeProof(key, { htu: HTU, iat: seconds - 61 }), htm: 'POST', htu: HTU }),
      'invalid_dpop_proof',
      "the DPoP proof's iat is more than 60 seconds in the past",
    );
    await rejects(
      checkProof(deps({ now }), { header: await makeProof(key, { htu: HTU, iat: seconds + 62 }), htm: 'POST', htu: HTU }),
      'invalid_dpop_proof',
      "the DPoP proof's iat is more than 60 seconds in the future",
    );
    await checkProof(deps({ now }), { header: await makeProof(key, { htu: HTU, iat: seconds - 59 }), htm: 'POST', htu: HTU });
  });

  it('refuses alg none', async () => {
    const key = await proofKey();
    await rejects(checkProof(deps(), { header: unsignedProof(key, { htu: HTU }), htm: 'POST', htu: HTU }), 'invalid_dpop_proof', 'the DPoP proof is invalid: alg must be one of ES256, EdDSA, RS256, PS256');
  });

  it('refuses HS256 (a public key used as a MAC secret)', async () => {
    const key = await proofKey();
    await rejects(checkProof(deps(), { header: await hmacProof(key, { htu: HTU }), htm: 'POST', htu: HTU }), 'invalid_dpop_proof', 'the DPoP proof is invalid: alg must be one of ES256, EdDSA, RS256, PS256');
  });

  it('refuses a proof whose jwk header carries the private key', async () => {
    const key = await proofKey();
    const header = await makeProof(key, { htu: HTU, header: { jwk: key.privateJwk } });
    await rejects(checkProof(deps(), { header, htm: 'POST', htu: HTU }), 'invalid_dpop_proof', 'the DPoP proof is invalid: its jwk header must not contain a private or symmetric key');
  });

  it('refuses a proof signed by another key than its jwk header names', async () => {
    const key = await proofKey();
    const other = await proofKey();
    const header = await makeProof(other, { htu: HTU, header: { jwk: key.publicJwk } });
    await rejects(checkProof(deps(), { header, htm: 'POST', htu: HTU }), 'invalid_dpop_proof', 'the DPoP proof is invalid: its signature does not verify with the key in its jwk header');
  });

  it('checks every proof of a kept key: a good proof, then a forged one under the same jwk, then a good one again', async () => {
    const key = await proofKey();
    const other = await proofKey();
    assert.deepEqual(await checkProof(deps(), { header: await makeProof(key, { htu: HTU }), htm: 'POST', htu: HTU }), { jkt: key.jkt });
    const forged = await makeProof(other, { htu: HTU, header: { jwk: key.publicJwk } });
    await rejects(checkProof(deps(), { header: forged, htm: 'POST', htu: HTU }), 'invalid_dpop_proof', 'the DPoP proof is invalid: its signature does not verify with the key in its jwk header');
    assert.deepEqual(await checkProof(deps(), { header: await makeProof(key, { htu: HTU }), htm: 'POST', htu: HTU }), { jkt: key.jkt });
    // The same jwk under a use jose refuses is refused each time, not kept.
    const misused = { ...key.publicJwk, use: 'enc' };
    for (let i = 0; i < 2; i++) {
      const header = await makeProof(key, { htu: HTU, header: { jwk: misused } });
      await rejects(checkProof(deps(), { header, htm: 'POST', htu: HTU }), 'invalid_dpop_proof', /^the DPoP proof is invalid: /);
    }
  });

  it('refuses a wrong typ, a missing jti, garbage, and two DPoP headers', async () => {
    const key = await proofKey();
    const check = (header: string) => checkProof(deps(), { header, htm: 'POST', htu: HTU });
    await rejects(check(await makeProof(key, { htu: HTU, header: { typ: 'JWT' } })), 'invalid_dpop_proof', 'the DPoP proof is invalid: its typ header must be dpop+jwt');
    await rejects(check(await makeProof(key, { htu: HTU, claims: { jti: undefined } })), 'invalid_dpop_proof', 'the DPoP proof has no jti claim');
    await rejects(check('not-a-jws'), 'invalid_dpop_proof', 'the DPoP proof is invalid: it is not a compact JWS');
    const one = await makeProof(key, { htu: HTU });
    await rejects(check(`${one}, ${one}`), 'invalid_dpop_proof', 'more than one DPoP header was sent');
  });

  it('at a resource: refuses a proof without ath or with the hash of another token', async () => {
    const key = await proofKey();
    const check = (header: string) => checkProof(deps(), { header, htm: 'GET', htu: HTU, accessToken: 'the-token' });
    await rejects(check(await makeProof(key, { htm: 'GET', htu: HTU })), 'invalid_dpop_proof', 'the DPoP proof has no ath claim (the hash of the access token)');
    await rejects(check(await makeProof(key, { htm: 'GET', htu: HTU, accessToken: 'another-token' })), 'invalid_dpop_proof', "the DPoP proof's ath does not match the access token");
    assert.deepEqual(await check(await makeProof(key, { htm: 'GET', htu: HTU, accessToken: 'the-token' })), { jkt: key.jkt });
  });

  it('with nonces on: use_dpop_nonce for a missing, forged or stale nonce; a fresh one passes', async () => {
    const key = await proofKey();
    const nonces = new HmacNonces(Buffer.from('a key every instance shares'));
    const now = Date.now();
    const check = async (nonce: string | undefined, at = now) => {
      const header = await makeProof(key, { htu: HTU, iat: Math.floor(at / 1000), ...(nonce === undefined ? {} : { nonce }) });
      return checkProof(deps({ nonces, now: at }), { header, htm: 'POST', htu: HTU });
    };
    await rejects(check(undefined), 'use_dpop_nonce', 'the DPoP proof must carry the nonce of the DPoP-Nonce header');
    await rejects(check('forged.AAAAAAAAAAAAAAAAAAAAAA'), 'use_dpop_nonce', "the DPoP proof's nonce is unknown or stale: use the one of the DPoP-Nonce header");
    await rejects(check(new HmacNonces(Buffer.from('another key')).current(now)), 'use_dpop_nonce', /unknown or stale/);
    const given = nonces.current(now);
    assert.deepEqual(await check(given, now + 299_000), { jkt: key.jkt });
    await rejects(check(given, now + 301_000), 'use_dpop_nonce', /unknown or stale/);
  });

  it('does not record the jti of a proof that fails a later check', async () => {
    const key = await proofKey();
    const shared = deps();
    const header = await makeProof(key, { htm: 'GET', htu: HTU, claims: { jti: 'kept' } });
    await rejects(checkProof(shared, { header, htm: 'GET', htu: HTU, accessToken: 't' }), 'invalid_dpop_proof', /no ath/);
    const good = await makeProof(key, { htm: 'GET', htu: HTU, accessToken: 't', claims: { jti: 'kept' } });
    assert.deepEqual(await checkProof(shared, { header: good, htm: 'GET', htu: HTU, accessToken: 't' }), { jkt: key.jkt });
  });

  it('a well-signed proof with empty claims is refused for its missing jti', async () => {
    const key = await proofKey();
    const header = await new SignJWT({}).setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk } as never).sign(key.privateKey);
    await rejects(checkProof(deps(), { header, htm: 'POST', htu: HTU }), 'invalid_dpop_proof', 'the DPoP proof has no jti claim');
  });
});
