/**
 * The one contract every store passes (ARCHITECTURE example 9): memory,
 * SQLite and PostgreSQL run these same tests. `open` is called once per suite;
 * every test draws its own ids, so tests never see each other's rows.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { nextId } from '../../src/core/ids.js';
import type { NewAuditEvent } from '../../src/core/audit.js';
import type { NewToken, User } from '../../src/core/model.js';
import type { Stores } from '../../src/core/ports.js';
import { hashSecret, mintSecret, randomId } from '../../src/core/tokens.js';
import { codeFields, makeApp, T0 } from '../helpers/fixtures.js';

export interface OpenedStores {
  stores: Stores;
  close(): Promise<void>;
  /** A second connection to the same database, when the store has one: it sees only committed rows. */
  peer?: Stores;
}

const DAY = 86_400_000;

function newToken(overrides: Partial<NewToken> = {}): NewToken {
  return {
    kind: 'access',
    secretHash: hashSecret(mintSecret()),
    clientId: `client-${randomId()}`,
    uid: `user-${randomId()}`,
    scope: ['basic', 'email'],
    familyId: null,
    createdAt: T0,
    expiresAt: T0 + DAY,
    jkt: null,
    ...overrides,
  };
}

const count = (results: boolean[]) => results.filter(Boolean).length;

export function storeContract(name: string, open: () => Promise<OpenedStores>): void {
  describe(`${name} store contract`, () => {
    let opened: OpenedStores;
    let s: Stores;
    before(async () => {
      opened = await open();
      s = opened.stores;
    });
    after(async () => {
      await opened.close();
    });

    describe('apps', () => {
      it('creates an app and finds it with every field intact', async () => {
        const { app } = makeApp({ redirectUris: ['https://app.example.com/cb', 'com.example.app:/cb'], ownerUid: `owner-${randomId()}`, isResourceServer: true });
        await s.apps.createApp(app);
        assert.deepEqual(await s.apps.findApp(app.clientId), app);
        const { app: publicApp } = makeApp({ isPublic: true, grantTypes: ['authorization_code'], responseTypes: ['code'], scopes: ['basic'] });
        await s.apps.createApp(publicApp);
        assert.deepEqual(await s.apps.findApp(publicApp.clientId), publicApp);
        assert.equal(publicApp.secretHash, null);
      });
      it('keeps the SPEC §8 settings (resources, access token format), and an update of one keeps the others', async () => {
        const { app } = makeApp({ resources: ['https://api.example.com/', 'urn:example:photos'], accessTokenFormat: 'jwt' });
        await s.apps.createApp(app);
        assert.deepEqual(await s.apps.findApp(app.clientId), app);
        assert.equal(await s.apps.updateApp(app.clientId, { resources: [] }), true);
        assert.deepEqual(await s.apps.findApp(app.clientId), { ...app, resources: [] });
      });
      it('keeps the OpenID Connect settings, and an update of one keeps the others', async () => {
        const { app } = makeApp({
          subjectType: 'pairwise',
          idTokenAlg: 'ES256',
          postLogoutRedirectUris: ['https://app.example.com/bye'],
          backchannelLogoutUri: 'https://app.example.com/backchannel',
          responseTypes: ['code', 'id_token', 'id_token token'],
        });
        await s.apps.createApp(app);
        assert.deepEqual(await s.apps.findApp(app.clientId), app);
        assert.equal(await s.apps.updateApp(app.clientId, { idTokenAlg: 'EdDSA', name: 'Renamed' }), true);
        assert.deepEqual(await s.apps.findApp(app.clientId), { ...app, idTokenAlg: 'EdDSA', name: 'Renamed' });
        await Promise.all([s.apps.updateApp(app.clientId, { subjectType: 'public' }), s.apps.updateApp(app.clientId, { backchannelLogoutUri: null }), s.apps.updateApp(app.clientId, { postLogoutRedirectUris: [] })]);
        assert.deepEqual(await s.apps.findApp(app.clientId), { ...app, idTokenAlg: 'EdDSA', name: 'Renamed', subjectType: 'public', backchannelLogoutUri: null, postLogoutRedirectUris: [] });
      });
      it('keeps the client authentication and PAR settings (SPEC §8), and an update of one keeps the others', async () => {
        const jwks = { keys: [{ kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', kid: 'k1' }] };
        const { app } = makeApp({ tokenEndpointAuthMethod: 'private_key_jwt', jwks, requirePar: true, sealedSecret: '{"privateJwk":"x","encryption":"none"}' });
        await s.apps.createApp(app);
        assert.deepEqual(await s.apps.findApp(app.clientId), app);
        await Promise.all([s.apps.updateApp(app.clientId, { jwks: null, jwksUri: 'https://app.example.com/jwks' }), s.apps.updateApp(app.clientId, { requirePar: false })]);
        assert.deepEqual(await s.apps.findApp(app.clientId), { ...app, jwks: null, jwksUri: 'https://app.example.com/jwks', requirePar: false });
        assert.equal(await s.apps.updateApp(app.clientId, { tokenEndpointAuthMethod: null, sealedSecret: null }), true);
        assert.deepEqual(await s.apps.findApp(app.clientId), { ...app, jwks: null, jwksUri: 'https://app.example.com/jwks', requirePar: false, tokenEndpointAuthMethod: null, sealedSecret: null });
      });
      it('finds nothing for an unknown client_id', async () => {
        assert.equal(await s.apps.findApp(`nobody-${randomId()}`), undefined);
      });
      it('refuses a second app with the same client_id', async () => {
        const { app } = makeApp();
        await s.apps.createApp(app);
        await assert.rejects(s.apps.createApp({ ...app, name: 'Impostor' }));
        assert.equal((await s.apps.findApp(app.clientId))?.name, app.name);
      });
      it('updates only the patched fields and says whether the app exists', async () => {
        const { app } = makeApp();
        await s.apps.createApp(app);
        const patch = { secretHash: hashSecret('new'), disabled: true, redirectUris: ['https://x.example.com/cb'], scopes: ['email'], ownerUid: 'someone' };
        assert.equal(await s.apps.updateApp(app.clientId, patch), true);
        assert.deepEqual(await s.apps.findApp(app.clientId), { ...app, ...patch });
        assert.equal(await s.apps.updateApp(`nobody-${randomId()}`, { disabled: true }), false);
      });
      it('leaves a field alone when the patch names it as undefined', async () => {
        const { app } = makeApp({ ownerUid: 'owner' });
        await s.apps.createApp(app);
        assert.equal(await s.apps.updateApp(app.clientId, { name: undefined, scopes: undefined, ownerUid: undefined, disabled: true }), true);
        assert.deepEqual(await s.apps.findApp(app.clientId), { ...app, disabled: true });
      });
      it("lists an owner's apps and only theirs", async () => {
        const owner = `owner-${randomId()}`;
        const mine = [makeApp({ ownerUid: owner }).app, makeApp({ ownerUid: owner }).app];
        const theirs = makeApp({ ownerUid: `owner-${randomId()}` }).app;
        for (const app of [...mine, theirs]) await s.apps.createApp(app);
        const listed = await s.apps.listApps({ ownerUid: owner });
        assert.deepEqual(listed.map((app) => app.clientId).sort(), mine.map((app) => app.clientId).sort());
        assert.deepEqual(listed.find((app) => app.clientId === mine[0]!.clientId), mine[0]);
        const all = (await s.apps.listApps()).map((app) => app.clientId);
        for (const app of [...mine, theirs]) assert.ok(all.includes(app.clientId));
      });
    });

    describe('users', () => {
      const user = (): User => ({ uid: `uid-${randomId()}`, username: `name-${randomId()}`, passwordHash: 'scrypt$x', createdAt: T0, emailVerified: false, updatedAt: T0 });
      it('keeps the OpenID profile: name, email and email_verified', async () => {
        const alice: User = { ...user(), name: 'Alice Liddell', email: 'alice@example.com', emailVerified: true, updatedAt: T0 + 5 };
        assert.equal(await s.users.createUser(alice), true);
        assert.deepEqual(await s.users.findUserByUid(alice.uid), alice);
      });
      it('creates a user, found by uid and by username, and counts it', async () => {
        const before = await s.users.countUsers();
        const alice = user();
        assert.equal(await s.users.createUser(alice), true);
        assert.deepEqual(await s.users.findUserByUid(alice.uid), alice);
        assert.deepEqual(await s.users.findUserByUsername(alice.username), alice);
        assert.equal(await s.users.countUsers(), before + 1);
      });
      it('refuses a taken username or uid and keeps the first user', async () => {
        const alice = user();
        assert.equal(await s.users.createUser(alice), true);
        assert.equal(await s.users.createUser({ ...user(), username: alice.username }), false);
        assert.equal(await s.users.createUser({ ...user(), uid: alice.uid }), false);
        assert.deepEqual(await s.users.findUserByUsername(alice.username), alice);
        assert.deepEqual(await s.users.findUserByUid(alice.uid), alice);
      });
      it('finds nobody for an unknown uid or username', async () => {
        assert.equal(await s.users.findUserByUid(`nobody-${randomId()}`), undefined);
        assert.equal(await s.users.findUserByUsername(`nobody-${randomId()}`), undefined);
      });
    });

    describe('scopes', () => {
      it('has basic and email from the start, with descriptions', async () => {
        const scopes = await s.scopes.listScopes();
        for (const wanted of ['basic', 'email']) {
          const scope = scopes.find((candidate) => candidate.name === wanted);
          assert.ok(scope && scope.description.length > 0, `${wanted} is seeded`);
        }
      });
      it('creates a scope, and saving it again updates its description without a duplicate', async () => {
        const name = `netdisk_${randomId(6)}`;
        await s.scopes.saveScope({ name, description: 'Files' });
        await s.scopes.saveScope({ name, description: 'Your files' });
        const matching = (await s.scopes.listScopes()).filter((scope) => scope.name === name);
        assert.deepEqual(matching, [{ name, description: 'Your files' }]);
      });
    });

    describe('consents', () => {
      it('saves, overwrites, lists newest first and deletes one app at a time', async () => {
        const uid = `uid-${randomId()}`;
        const [a, b] = [`client-${randomId()}`, `client-${randomId()}`];
        await s.consents.saveConsent({ uid, clientId: a, scope: ['basic'] }, T0);
        await s.consents.saveConsent({ uid, clientId: b, scope: [] }, T0 + 1000);
        assert.deepEqual(await s.consents.findConsent(uid, b), { uid, clientId: b, scope: [] });
        await s.consents.saveConsent({ uid, clientId: a, scope: ['basic', 'email'] }, T0 + 2000);
        assert.deepEqual(await s.consents.findConsent(uid, a), { uid, clientId: a, scope: ['basic', 'email'] });
        assert.deepEqual(await s.consents.listConsents(uid), [
          { uid, clientId: a, scope: ['basic', 'email'] },
          { uid, clientId: b, scope: [] },
        ]);
        await s.consents.deleteConsent(uid, a);
        assert.equal(await s.consents.findConsent(uid, a), undefined);
        assert.deepEqual(await s.consents.listConsents(uid), [{ uid, clientId: b, scope: [] }]);
      });
      it('keeps the union of scopes saved concurrently for one user and app (no lost write)', async () => {
        const uid = `uid-${randomId()}`;
        const clientId = `client-${randomId()}`;
        await Promise.all(['basic', 'email', 'netdisk', 'basic'].map((name, i) => s.consents.saveConsent({ uid, clientId, scope: [name] }, T0 + i)));
        assert.deepEqual((await s.consents.findConsent(uid, clientId))!.scope.sort(), ['basic', 'email', 'netdisk']);
        assert.equal((await s.consents.listConsents(uid)).length, 1);
      });
      it("keeps users' consents apart", async () => {
        const clientId = `client-${randomId()}`;
        const [u1, u2] = [`uid-${randomId()}`, `uid-${randomId()}`];
        await s.consents.saveConsent({ uid: u1, clientId, scope: ['basic'] }, T0);
        assert.equal(await s.consents.findConsent(u2, clientId), undefined);
        assert.deepEqual(await s.consents.listConsents(u2), []);
      });
    });

    describe('authorization codes', () => {
      const app = makeApp().app;
      it('saves a code under a growing id that is also its family, and finds it with every field', async () => {
        const fields = codeFields(app, T0, { scope: ['basic', 'email'], codeChallenge: 'c'.repeat(43), codeChallengeMethod: 'S256' });
        const id = await s.codes.saveCode(fields);
        const later = await s.codes.saveCode(codeFields(app, T0));
        assert.ok(later > id);
        assert.deepEqual(await s.codes.findCode(id), { ...fields, id, familyId: id, consumedAt: null, replayedAt: null });
        const plain = await s.codes.findCode(later);
        assert.equal(plain?.codeChallenge, null);
        assert.equal(plain?.codeChallengeMethod, null);
      });
      it('consumes a code exactly once', async () => {
        const id = await s.codes.saveCode(codeFields(app, T0));
        assert.equal(await s.codes.consumeCode(id, T0 + 5), true);
        assert.equal(await s.codes.consumeCode(id, T0 + 6), false);
        assert.equal((await s.codes.findCode(id))?.consumedAt, T0 + 5);
        assert.equal(await s.codes.consumeCode(1, T0), false);
        assert.equal(await s.codes.findCode(1), undefined);
      });
      it('marks a replayed code once, keeping the first time', async () => {
        const id = await s.codes.saveCode(codeFields(app, T0));
        const other = await s.codes.saveCode(codeFields(app, T0));
        assert.equal(await s.codes.isCodeReplayed(id), false);
        await s.codes.markCodeReplayed(id, T0 + 7);
        await s.codes.markCodeReplayed(id, T0 + 9);
        assert.equal((await s.codes.findCode(id))?.replayedAt, T0 + 7);
        assert.equal(await s.codes.isCodeReplayed(id), true);
        assert.equal(await s.codes.isCodeReplayed(other), false);
        assert.equal(await s.codes.isCodeReplayed(1), false);
      });
      it('keeps the RFC 8707 resources of a code, in order', async () => {
        const fields = { ...codeFields(app, T0), resources: ['https://api.example.com/', 'urn:example:photos'] };
        const id = await s.codes.saveCode(fields);
        assert.deepEqual((await s.codes.findCode(id))?.resources, ['https://api.example.com/', 'urn:example:photos']);
      });
      it('gives exactly one of 50 concurrent consumeCode calls true', async () => {
        const id = await s.codes.saveCode(codeFields(app, T0));
        const results = await Promise.all(Array.from({ length: 50 }, (_, i) => s.codes.consumeCode(id, T0 + i)));
        assert.equal(count(results), 1);
      });
    });

    describe('pushed authorization requests (RFC 9126)', () => {
      const request = (overrides: { expiresAt?: number } = {}) => ({
        id: nextId(),
        secretHash: hashSecret(mintSecret()),
        clientId: `app-${randomId()}`,
        params: { response_type: 'code', scope: 'basic email', resource: ['https://a.example', 'https://b.example'] },
        createdAt: T0,
        expiresAt: overrides.expiresAt ?? T0 + 60_000,
      });
      it('keeps a pushed request with every field intact, repeated parameters too', async () => {
        const pushed = request();
        await s.pushedRequests.savePushedRequest(pushed);
        assert.deepEqual(await s.pushedRequests.findPushedRequest(pushed.id), { ...pushed, consumedAt: null });
        assert.equal(await s.pushedRequests.findPushedRequest(pushed.id + 1), undefined);
      });
      it('gives exactly one of 20 concurrent consumePushedRequest calls true, and records when', async () => {
        const pushed = request();
        await s.pushedRequests.savePushedRequest(pushed);
        const results = await Promise.all(Array.from({ length: 20 }, () => s.pushedRequests.consumePushedRequest(pushed.id, T0 + 5)));
        assert.equal(results.filter(Boolean).length, 1);
        assert.equal((await s.pushedRequests.findPushedRequest(pushed.id))?.consumedAt, T0 + 5);
        assert.equal(await s.pushedRequests.consumePushedRequest(nextId(), T0), false);
      });
      it('deletes expired requests in bounded batches, and no live one', async () => {
        const far = T0 + 10 * 365 * 86_400_000;
        const expired = [request({ expiresAt: far - 2 }), request({ expiresAt: far - 1 })];
        const live = request({ expiresAt: far + 60_000 });
        for (const pushed of [...expired, live]) await s.pushedRequests.savePushedRequest(pushed);
        let deleted = 0;
        for (let batch = 0; batch < 1000; batch++) {
          const count = await s.pushedRequests.deleteExpiredPushedRequests(far, 50);
          deleted += count;
          if (count === 0) break;
        }
        assert.ok(deleted >= 2);
        for (const pushed of expired) assert.equal(await s.pushedRequests.findPushedRequest(pushed.id), undefined);
        assert.ok(await s.pushedRequests.findPushedRequest(live.id));
      });
    });

    describe('tokens', () => {
      it('issues tokens under growing ids, in order, and finds them with every field', async () => {
        const access = newToken({ familyId: 77 });
        const refresh = newToken({ kind: 'refresh', clientId: access.clientId, uid: access.uid, familyId: 77, expiresAt: T0 + 10 * DAY });
        const ids = await s.tokens.issueTokens([access, refresh]);
        assert.equal(ids.length, 2);
        assert.ok(ids[1]! > ids[0]!);
        const [later] = await s.tokens.issueTokens([newToken()]);
        assert.ok(later! > ids[1]!);
        assert.deepEqual(await s.tokens.findToken(ids[0]!), { ...access, id: ids[0], revokedAt: null, consumedAt: null });
        assert.deepEqual(await s.tokens.findToken(ids[1]!), { ...refresh, id: ids[1], revokedAt: null, consumedAt: null });
      });
      it('keeps the RFC 8707 audience of a token, and none (the client_id) when it has none', async () => {
        const access = newToken({ audience: ['https://api.example.com/'] });
        const refresh = newToken({ kind: 'refresh', audience: ['https://api.example.com/', 'urn:example:photos'] });
        const [a, r, plain] = await s.tokens.issueTokens([access, refresh, newToken()]);
        assert.deepEqual(await s.tokens.findToken(a!), { ...access, id: a, revokedAt: null, consumedAt: null });
        assert.deepEqual((await s.tokens.findToken(r!))?.audience, ['https://api.example.com/', 'urn:example:photos']);
        assert.equal((await s.tokens.findToken(plain!))?.audience, undefined);
      });
      it('keeps a refresh-grace answer until it expires; the first save wins', async () => {
        const tokenId = nextId(T0);
        assert.equal(await s.tokens.findRefreshAnswer(tokenId, T0), undefined);
        await s.tokens.saveRefreshAnswer(tokenId, 'v1.first', T0 + 30_000);
        await s.tokens.saveRefreshAnswer(tokenId, 'v1.second', T0 + 60_000);
        assert.equal(await s.tokens.findRefreshAnswer(tokenId, T0 + 29_999), 'v1.first');
        assert.equal(await s.tokens.findRefreshAnswer(tokenId, T0 + 30_000), undefined);
      });
      it('stores a client credentials token with no user and no family', async () => {
        const token = newToken({ uid: null, familyId: null, scope: ['basic'] });
        const [id] = await s.tokens.issueTokens([token]);
        assert.deepEqual(await s.tokens.findToken(id!), { ...token, id, revokedAt: null, consumedAt: null });
      });
      it('resolves issueTokens only once the rows are committed, for 100 concurrent issues', async () => {
        const batches = await Promise.all(Array.from({ length: 100 }, () => s.tokens.issueTokens([newToken()])));
        const ids = batches.flat();
        assert.equal(new Set(ids).size, 100);
        const readers = opened.peer === undefined ? [s] : [s, opened.peer];
        for (const reader of readers) {
          const found = await Promise.all(ids.map((id) => reader.tokens.findToken(id)));
          assert.equal(found.filter((token) => token?.kind === 'access').length, 100);
        }
      });
      it('answers reads asked in one turn each with its own token: the same id twice, a missing id, a revoked one', async () => {
        const tokens = Array.from({ length: 5 }, (_, i) => newToken({ scope: [`s${i}`] }));
        const ids = await s.tokens.issueTokens(tokens);
        await s.tokens.revokeToken(ids[2]!, T0 + 5);
        const missing = nextId(T0 + DAY);
        const asked = [ids[3]!, missing, ids[0]!, ids[3]!, ids[2]!, ids[4]!, ids[1]!];
        const found = await Promise.all(asked.map((id) => s.tokens.findToken(id)));
        assert.deepEqual(
          found.map((token) => token && [token.id, token.scope[0], token.revokedAt]),
          [[ids[3], 's3', null], undefined, [ids[0], 's0', null], [ids[3], 's3', null], [ids[2], 's2', T0 + 5], [ids[4], 's4', null], [ids[1], 's1', null]],
        );
      });
      it('keeps the DPoP binding (jkt) of a bound token, and null for a Bearer one issued in the same turn', async () => {
        const bound = newToken({ jkt: 'thumbprint-of-the-proof-key' });
        const refresh = newToken({ kind: 'refresh', jkt: 'thumbprint-of-the-proof-key' });
        const bearer = newToken();
        const [pair, [bearerId]] = await Promise.all([s.tokens.issueTokens([bound, refresh]), s.tokens.issueTokens([bearer])]);
        assert.deepEqual(await s.tokens.findToken(pair[0]!), { ...bound, id: pair[0], revokedAt: null, consumedAt: null });
        assert.equal((await s.tokens.findToken(pair[1]!))?.jkt, 'thumbprint-of-the-proof-key');
        assert.deepEqual(await s.tokens.findToken(bearerId!), { ...bearer, id: bearerId, revokedAt: null, consumedAt: null, jkt: null });
      });
      it('keeps an app\'s require_dpop setting', async () => {
        const { app } = makeApp({ requireDpop: true });
        await s.apps.createApp(app);
        assert.equal((await s.apps.findApp(app.clientId))?.requireDpop, true);
        await s.apps.updateApp(app.clientId, { requireDpop: false });
        assert.equal((await s.apps.findApp(app.clientId))?.requireDpop, false);
      });
      it('finds nothing for an unknown id', async () => {
        assert.equal(await s.tokens.findToken(1), undefined);
      });
      it('consumes a refresh token exactly once, and never an access token', async () => {
        const [access, refresh] = await s.tokens.issueTokens([newToken(), newToken({ kind: 'refresh' })]);
        assert.equal(await s.tokens.consumeRefreshToken(access!, T0), false);
        assert.equal((await s.tokens.findToken(access!))?.consumedAt, null);
        assert.equal(await s.tokens.consumeRefreshToken(refresh!, T0 + 7), true);
        assert.equal(await s.tokens.consumeRefreshToken(refresh!, T0 + 8), false);
        assert.equal((await s.tokens.findToken(refresh!))?.consumedAt, T0 + 7);
      });
      it('does not consume a revoked refresh token', async () => {
        const [refresh] = await s.tokens.issueTokens([newToken({ kind: 'refresh' })]);
        await s.tokens.revokeToken(refresh!, T0);
        assert.equal(await s.tokens.consumeRefreshToken(refresh!, T0 + 1), false);
        assert.equal((await s.tokens.findToken(refresh!))?.consumedAt, null);
      });
      it('gives exactly one of 50 concurrent consumeRefreshToken calls true', async () => {
        const [refresh] = await s.tokens.issueTokens([newToken({ kind: 'refresh' })]);
        const results = await Promise.all(Array.from({ length: 50 }, (_, i) => s.tokens.consumeRefreshToken(refresh!, T0 + i)));
        assert.equal(count(results), 1);
      });
      it('revokes one token, keeping the first revocation time', async () => {
        const [one, other] = await s.tokens.issueTokens([newToken(), newToken()]);
        await s.tokens.revokeToken(one!, T0 + 1);
        await s.tokens.revokeToken(one!, T0 + 2);
        assert.equal((await s.tokens.findToken(one!))?.revokedAt, T0 + 1);
        assert.equal((await s.tokens.findToken(other!))?.revokedAt, null);
      });
      it('revokes a whole family and nothing else', async () => {
        const family = nextId();
        const ids = await s.tokens.issueTokens([newToken({ familyId: family }), newToken({ kind: 'refresh', familyId: family })]);
        const [stranger, orphan] = await s.tokens.issueTokens([newToken({ familyId: family + 1 }), newToken({ familyId: null })]);
        await s.tokens.revokeFamily(family, T0 + 3);
        for (const id of ids) assert.equal((await s.tokens.findToken(id))?.revokedAt, T0 + 3);
        assert.equal((await s.tokens.findToken(stranger!))?.revokedAt, null);
        assert.equal((await s.tokens.findToken(orphan!))?.revokedAt, null);
      });
      it('revokes a family member whose issue was still in flight', async () => {
        const family = nextId();
        const issuing = s.tokens.issueTokens([newToken({ familyId: family })]);
        await s.tokens.revokeFamily(family, T0 + 4);
        const [id] = await issuing;
        assert.equal((await s.tokens.findToken(id!))?.revokedAt, T0 + 4);
      });
      it("revokes a user's tokens for one app and no other", async () => {
        const uid = `uid-${randomId()}`;
        const [app, otherApp] = [`client-${randomId()}`, `client-${randomId()}`];
        const mine = await s.tokens.issueTokens([newToken({ uid, clientId: app }), newToken({ uid, clientId: app, kind: 'refresh' })]);
        const [elsewhere, someoneElse] = await s.tokens.issueTokens([newToken({ uid, clientId: otherApp }), newToken({ clientId: app })]);
        await s.tokens.revokeUserTokens(uid, app, T0 + 9);
        for (const id of mine) assert.equal((await s.tokens.findToken(id))?.revokedAt, T0 + 9);
        assert.equal((await s.tokens.findToken(elsewhere!))?.revokedAt, null);
        assert.equal((await s.tokens.findToken(someoneElse!))?.revokedAt, null);
      });
      it('keeps the OpenID sign-in of a family: found by family id, the first save wins, none for another family', async () => {
        const family = nextId();
        await s.tokens.saveSignIn(family, { nonce: 'n-1', authTime: T0 - 5000, sid: 'sid-1' }, T0);
        await s.tokens.saveSignIn(family, { authTime: T0, sid: 'sid-2' }, T0 + 1);
        assert.deepEqual(await s.tokens.findSignIn(family), { nonce: 'n-1', authTime: T0 - 5000, sid: 'sid-1' });
        const other = nextId();
        await s.tokens.saveSignIn(other, { authTime: T0, sid: 'sid-3' }, T0);
        assert.deepEqual(await s.tokens.findSignIn(other), { authTime: T0, sid: 'sid-3' });
        assert.equal(await s.tokens.findSignIn(nextId()), undefined);
        const readers = opened.peer === undefined ? [] : [opened.peer];
        for (const reader of readers) assert.deepEqual(await reader.tokens.findSignIn(family), { nonce: 'n-1', authTime: T0 - 5000, sid: 'sid-1' });
      });
      it('commits a sign-in saved in the same turn as its tokens', async () => {
        const family = nextId();
        const [ids] = await Promise.all([
          s.tokens.issueTokens([newToken({ familyId: family }), newToken({ kind: 'refresh', familyId: family })]),
          s.tokens.saveSignIn(family, { authTime: T0, sid: 'sid-turn' }, T0),
        ]);
        assert.equal((await s.tokens.findToken(ids[1]!))?.familyId, family);
        assert.deepEqual(await s.tokens.findSignIn(family), { authTime: T0, sid: 'sid-turn' });
      });
    });
    describe('audit trail: each change and its event in one transaction', () => {
      const ctx = (action: NewAuditEvent['action'], type: NewAuditEvent['target']['type'], id: string): NewAuditEvent => ({
        at: T0 + 1000,
        actor: { type: 'app', id: 'admin-app' },
        action,
        target: { type, id },
        address: '192.0.2.1',
        requestId: `req-${randomId(6)}`,
      });
      const eventsFor = async (stores: Stores, id: string) => (await stores.audit.listEvents({ limit: 1000 })).filter((event) => event.target.id === id);

      it('creates an app with its event, every field intact, and the other connection sees both', async () => {
        const { app } = makeApp({ isAdmin: true, grantTypes: ['client_credentials'], responseTypes: [], scopes: ['gatehouse:admin'] });
        const event = ctx('app.create', 'app', app.clientId);
        assert.deepEqual(await s.audit.commit({ kind: 'createApp', app }, event), { applied: true, count: 1 });
        assert.deepEqual(await s.apps.findApp(app.clientId), app);
        const [stored] = await eventsFor(opened.peer ?? s, app.clientId);
        assert.ok(stored && stored.id > 0);
        assert.deepEqual({ ...stored, id: 0 }, { ...event, id: 0 });
        assert.deepEqual(await (opened.peer ?? s).apps.findApp(app.clientId), app);
      });

      it('writes nothing, event neither, when the change is refused', async () => {
        const missing = `client-${randomId()}`;
        assert.deepEqual(await s.audit.commit({ kind: 'updateApp', clientId: missing, patch: { disabled: true } }, ctx('app.disable', 'app', missing)), { applied: false, reason: 'not_found' });
        assert.deepEqual(await s.audit.commit({ kind: 'deleteApp', clientId: missing }, ctx('app.delete', 'app', missing)), { applied: false, reason: 'not_found' });
        const name = `scope_${randomId(6)}`;
        assert.deepEqual(await s.audit.commit({ kind: 'createScope', scope: { name, description: 'one' } }, ctx('scope.create', 'scope', name)), { applied: true, count: 1 });
        assert.deepEqual(await s.audit.commit({ kind: 'createScope', scope: { name, description: 'two' } }, ctx('scope.create', 'scope', name)), { applied: false, reason: 'conflict' });
        assert.deepEqual((await s.scopes.listScopes()).filter((scope) => scope.name === name), [{ name, description: 'one' }]);
        assert.equal((await eventsFor(s, missing)).length, 0);
        assert.equal((await eventsFor(s, name)).length, 1);
      });

      it('disables a user and revokes their tokens at once; a taken username is a conflict', async () => {
        const uid = String(nextId());
        const username = `user_${randomId(6)}`;
        const user = { uid, username, passwordHash: 'scrypt$x', createdAt: T0, emailVerified: false, updatedAt: T0 };
        assert.equal((await s.audit.commit({ kind: 'createUser', user }, ctx('user.create', 'user', uid))).applied, true);
        assert.deepEqual(await s.audit.commit({ kind: 'createUser', user: { ...user, uid: String(nextId()) } }, ctx('user.create', 'user', 'x')), { applied: false, reason: 'conflict' });
        const other = { uid: String(nextId()), username: `user_${randomId(6)}`, passwordHash: 'scrypt$y', createdAt: T0, emailVerified: false, updatedAt: T0 };
        await s.audit.commit({ kind: 'createUser', user: other }, ctx('user.create', 'user', other.uid));
        const rename = await s.audit.commit({ kind: 'updateUser', uid: other.uid, patch: { username }, revokeTokens: false }, ctx('user.update', 'user', other.uid));
        assert.deepEqual(rename, { applied: false, reason: 'conflict' });
        const ids = await s.tokens.issueTokens([newToken({ uid }), newToken({ uid, kind: 'refresh' })]);
        const [stranger] = await s.tokens.issueTokens([newToken()]);
        const disabled = await s.audit.commit({ kind: 'updateUser', uid, patch: { disabled: true, email: 'a@example.com' }, revokeTokens: true }, ctx('user.disable', 'user', uid));
        assert.deepEqual(disabled, { applied: true, count: 1 });
        assert.deepEqual(await s.users.findUserByUid(uid), { ...user, disabled: true, email: 'a@example.com' });
        for (const id of ids) assert.equal((await s.tokens.findToken(id))?.revokedAt, T0 + 1000);
        assert.equal((await s.tokens.findToken(stranger!))?.revokedAt, null);
        await s.audit.commit({ kind: 'updateUser', uid, patch: { disabled: false, email: null }, revokeTokens: false }, ctx('user.update', 'user', uid));
        assert.deepEqual(await s.users.findUserByUid(uid), user);
        assert.deepEqual((await eventsFor(s, uid)).map((event) => event.action), ['user.update', 'user.disable', 'user.create']);
        const page = await s.users.listUsers({ afterUid: String(Number(uid) - 1), limit: 1 });
        assert.equal(page[0]?.uid, uid);
      });

      it("revokes an app's tokens by count, and deleting an app kills its tokens", async () => {
        const { app } = makeApp();
        await s.audit.commit({ kind: 'createApp', app }, ctx('app.create', 'app', app.clientId));
        await s.tokens.issueTokens([newToken({ clientId: app.clientId }), newToken({ clientId: app.clientId })]);
        const revoked = await s.audit.commit({ kind: 'revokeTokens', clientId: app.clientId }, ctx('tokens.revoke', 'app', app.clientId));
        assert.deepEqual(revoked, { applied: true, count: 2 });
        const [late] = await s.tokens.issueTokens([newToken({ clientId: app.clientId })]);
        assert.deepEqual(await s.audit.commit({ kind: 'deleteApp', clientId: app.clientId }, ctx('app.delete', 'app', app.clientId)), { applied: true, count: 1 });
        assert.equal(await s.apps.findApp(app.clientId), undefined);
        assert.equal((await s.tokens.findToken(late!))?.revokedAt, T0 + 1000);
        assert.deepEqual((await eventsFor(s, app.clientId)).map((event) => event.action), ['app.delete', 'tokens.revoke', 'app.create']);
      });

      it('keeps exactly one event per change under 20 concurrent creates and 20 concurrent updates', async () => {
        const made = Array.from({ length: 20 }, () => makeApp().app);
        const { app: shared } = makeApp();
        await s.audit.commit({ kind: 'createApp', app: shared }, ctx('app.create', 'app', shared.clientId));
        const results = await Promise.all([
          ...made.map((app) => s.audit.commit({ kind: 'createApp', app }, ctx('app.create', 'app', app.clientId))),
          ...Array.from({ length: 20 }, (_, i) => s.audit.commit({ kind: 'updateApp', clientId: shared.clientId, patch: { name: `name ${i}` } }, ctx('app.update', 'app', shared.clientId))),
        ]);
        assert.ok(results.every((result) => result.applied));
        const reader = opened.peer ?? s;
        for (const app of made) assert.deepEqual((await eventsFor(reader, app.clientId)).map((event) => event.action), ['app.create']);
        assert.equal((await eventsFor(reader, shared.clientId)).filter((event) => event.action === 'app.update').length, 20);
        assert.match((await reader.apps.findApp(shared.clientId))!.name, /^name \d+$/);
      });

      it('lists newest first, pages by id, and filters to an actor or their apps', async () => {
        const ids: string[] = [];
        for (let i = 0; i < 3; i++) {
          const { app } = makeApp();
          ids.push(app.clientId);
          await s.audit.commit({ kind: 'createApp', app }, { ...ctx('app.create', 'app', app.clientId), actor: { type: 'user', id: `dev-${ids[0]}` } });
        }
        const first = await s.audit.listEvents({ limit: 2, involving: { actor: { type: 'user', id: `dev-${ids[0]}` }, appIds: [] } });
        assert.deepEqual(first.map((event) => event.target.id), [ids[2], ids[1]]);
        const rest = await s.audit.listEvents({ limit: 2, beforeId: first[1]!.id, involving: { actor: { type: 'user', id: `dev-${ids[0]}` }, appIds: [] } });
        assert.deepEqual(rest.map((event) => event.target.id), [ids[0]]);
        const byApp = await s.audit.listEvents({ limit: 10, involving: { actor: { type: 'user', id: 'nobody' }, appIds: [ids[1]!] } });
        assert.deepEqual(byApp.map((event) => event.target.id), [ids[1]]);
      });
    });
  });
}
