/** SPEC §7 ID tokens: the claims mintIdToken puts in, and that jose verifies them against our JWKS. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { CLAIMS_SUPPORTED, claimsOfScope, pictureUrl, scopeClaims, subjectFor } from '../../src/core/claims.js';
import { halfHash, idTokenClaims, mintIdToken } from '../../src/core/id-token.js';
import type { SignInContext, User } from '../../src/core/model.js';
import { openidFor } from '../../src/core/openid.js';
import { portraitOf } from '../../src/core/users.js';
import { createSigningKeys, MemoryKeyStore, type OpenedSigner } from '../../src/storage/keys/index.js';
import { fakeClock, makeApp, T0 } from '../helpers/fixtures.js';

const ISSUER = 'https://id.example.com';
const OPENID_KEY = Buffer.alloc(32, 7);
const NOW = T0 + 123_456; // not a whole second: iat rounds down
const USER: User = {
  uid: '1001',
  username: 'alice',
  passwordHash: 'x',
  createdAt: T0,
  email: 'alice@example.com',
  name: 'Alice Liddell',
  emailVerified: true,
  updatedAt: T0 - 86_400_000 + 999,
};
const SIGN_IN: SignInContext = { nonce: 'n-0S6_WzA2Mj', authTime: T0 - 5_500, sid: 'sid-abc' };
const DEPS = { issuer: ISSUER, lifetimes: { idToken: 3600 }, openidKey: OPENID_KEY, now: NOW };

describe('id_token claims (SPEC §7)', () => {
  const { app } = makeApp({ scopes: ['basic', 'openid', 'profile', 'email'] });

  it('a public app: sub is the uid; iss, aud, azp, exp = iat + GATEHOUSE_ID_TOKEN_TTL, auth_time in seconds, nonce, sid, at_hash; no scope claims beside an access token', () => {
    const claims = idTokenClaims(DEPS, { app, user: USER, signIn: SIGN_IN, scope: ['openid', 'profile', 'email'], accessToken: 'jHkWEdUXMU1BwAsC4vtUsZwnNGl' });
    const iat = Math.floor(NOW / 1000);
    assert.deepEqual(claims, {
      iss: ISSUER,
      sub: '1001',
      aud: app.clientId,
      exp: iat + 3600,
      iat,
      auth_time: Math.floor((T0 - 5_500) / 1000),
      nonce: 'n-0S6_WzA2Mj',
      azp: app.clientId,
      sid: 'sid-abc',
      at_hash: 'ttqCJxbw8FgbARNJIK37xQ',
    });
  });

  it('a pairwise app: sub equals getInfo’s openid for that app, and differs between apps', () => {
    const pairwise = makeApp({ subjectType: 'pairwise' }).app;
    const other = makeApp({ subjectType: 'pairwise' }).app;
    const claims = idTokenClaims(DEPS, { app: pairwise, user: USER, signIn: SIGN_IN, scope: ['openid'], accessToken: 'a' });
    assert.equal(claims['sub'], openidFor(OPENID_KEY, pairwise, '1001'));
    assert.notEqual(claims['sub'], '1001');
    assert.notEqual(claims['sub'], subjectFor(OPENID_KEY, other, '1001'));
  });

  it('no nonce in the request: no nonce claim (auth_time is there all the same)', () => {
    const claims = idTokenClaims(DEPS, { app, user: USER, signIn: { authTime: T0, sid: 's' }, scope: ['openid'], accessToken: 'a' });
    assert.equal('nonce' in claims, false);
    assert.equal(claims['auth_time'], T0 / 1000);
  });

  it('without an access token (response_type=id_token): the scope claims are in, and no at_hash', () => {
    const claims = idTokenClaims(DEPS, { app, user: USER, signIn: SIGN_IN, scope: ['openid', 'profile', 'email'] });
    assert.equal('at_hash' in claims, false);
    assert.equal(claims['name'], 'Alice Liddell');
    assert.equal(claims['preferred_username'], 'alice');
    assert.equal(claims['picture'], `${ISSUER}/sys/portrait/item/${portraitOf('1001')}`);
    assert.ok((claims['picture'] as string).endsWith(portraitOf('1001')));
    assert.equal(claims['updated_at'], Math.floor((T0 - 86_400_000 + 999) / 1000));
    assert.equal(claims['email'], 'alice@example.com');
    assert.equal(claims['email_verified'], true);
  });

  it('only the claims of the scopes granted; a user without name or email leaves those out', () => {
    const bare: User = { ...USER, name: undefined, email: undefined, emailVerified: false };
    assert.deepEqual(scopeClaims(ISSUER, USER, ['openid', 'email']), { email: 'alice@example.com', email_verified: true });
    assert.deepEqual(scopeClaims(ISSUER, bare, ['openid', 'profile', 'email']), {
      preferred_username: 'alice',
      picture: pictureUrl(ISSUER, '1001'),
      updated_at: Math.floor(bare.updatedAt / 1000),
    });
    assert.deepEqual(scopeClaims(ISSUER, USER, ['openid', 'basic']), {});
  });

  it('c_hash beside a code: OIDC Core A.4’s example value', () => {
    const claims = idTokenClaims(DEPS, { app, user: USER, signIn: SIGN_IN, scope: ['openid'], code: 'Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk' });
    assert.equal(claims['c_hash'], 'LDktKdoQak3Pk0cnXxCltA');
  });

  it('at_hash: left half of SHA-256 for RS256/PS256/ES256, of SHA-512 for EdDSA (values from openssl dgst)', () => {
    const token = 'jHkWEdUXMU1BwAsC4vtUsZwnNGl';
    for (const alg of ['RS256', 'PS256', 'ES256'] as const) assert.equal(halfHash(alg, token), 'ttqCJxbw8FgbARNJIK37xQ');
    assert.equal(halfHash('EdDSA', token), 'KlR6pzeVxZGvTZ9eYEt7tK-j4nH6TyR2sytApr-z2uA');
  });

  it('the claims table: openid sub, profile name/preferred_username/picture/updated_at, email email/email_verified; all in claims_supported', () => {
    assert.deepEqual(claimsOfScope('openid'), ['sub']);
    assert.deepEqual(claimsOfScope('profile'), ['name', 'preferred_username', 'picture', 'updated_at']);
    assert.deepEqual(claimsOfScope('email'), ['email', 'email_verified']);
    assert.deepEqual(claimsOfScope('basic'), []);
    assert.deepEqual(claimsOfScope('toString'), []);
    for (const claim of ['sub', 'name', 'preferred_username', 'picture', 'updated_at', 'email', 'email_verified', 'auth_time', 'nonce', 'sid']) {
      assert.ok(CLAIMS_SUPPORTED.includes(claim), claim);
    }
  });
});

describe('mintIdToken signs with the app’s alg; jose verifies it against the JWKS', () => {
  const clock = fakeClock(NOW);
  let opened: OpenedSigner;
  before(async () => {
    opened = await createSigningKeys(new MemoryKeyStore(), { keysSecret: undefined, keyPropagationSeconds: 900, lifetimes: { idToken: 3600 } }, undefined, { clock });
  });
  after(() => opened.close());

  for (const alg of ['RS256', 'PS256', 'ES256', 'EdDSA'] as const) {
    it(`${alg}: header alg/kid of the current key, typ JWT; payload as built; at_hash matches the access token`, async () => {
      const { app } = makeApp({ idTokenAlg: alg });
      const accessToken = '17.abcdefghijklmnopqrstuvwxyz';
      const jws = await mintIdToken({ ...DEPS, signer: opened.signer }, { app, user: USER, signIn: SIGN_IN, scope: ['openid'], accessToken });
      const kid = (await opened.keys.list()).find((key) => key.alg === alg && key.state === 'current')!.kid;
      const jwks = createLocalJWKSet((await opened.signer.jwks()) as Parameters<typeof createLocalJWKSet>[0]);
      const { payload, protectedHeader } = await jwtVerify(jws, jwks, { issuer: ISSUER, audience: app.clientId, algorithms: [alg], currentDate: new Date(NOW) });
      assert.deepEqual(protectedHeader, { alg, kid, typ: 'JWT' });
      assert.deepEqual(decodeProtectedHeader(jws), protectedHeader);
      assert.deepEqual(payload, idTokenClaims(DEPS, { app, user: USER, signIn: SIGN_IN, scope: ['openid'], accessToken }));
      assert.equal(payload['at_hash'], halfHash(alg, accessToken));
    });
  }
});
