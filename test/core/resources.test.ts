/** RFC 8707 in the core: the parameter's rules, and the device grant keeping and narrowing resources (the HTTP tests drive the rest). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pollDevice, requestDeviceAuthorization } from '../../src/core/device.js';
import { exchangeToken } from '../../src/core/token-endpoint.js';
import { audienceOf, narrowResources, requestedResources } from '../../src/core/resources.js';
import { makeApp, rejectsWith, throwsWith, tokenDeps, credentials } from '../helpers/fixtures.js';

const API = 'https://api.example.com/';
const PHOTOS = 'urn:example:photos';

describe('resource indicators (RFC 8707) in the core', () => {
  test('requestedResources: repeatable, order kept, duplicates dropped; absent or empty is none', () => {
    const { app } = makeApp();
    assert.deepEqual(requestedResources({ resource: [API, PHOTOS, API] }, app), [API, PHOTOS]);
    assert.deepEqual(requestedResources({ resource: '' }, app), []);
    assert.deepEqual(requestedResources({}, app), []);
  });

  test('requestedResources: invalid_target for a fragment, a relative URI, a space, or one off the allow-list', () => {
    const { app } = makeApp({ resources: [API] });
    throwsWith(() => requestedResources({ resource: `${API}#x` }, app), 'invalid_target', /has a fragment/);
    throwsWith(() => requestedResources({ resource: 'api.example.com' }, app), 'invalid_target', /is not an absolute URI/);
    throwsWith(() => requestedResources({ resource: 'https://a b/' }, app), 'invalid_target', /space or control character/);
    throwsWith(() => requestedResources({ resource: [API, PHOTOS] }, app), 'invalid_target', /urn:example:photos is not among the resources this app may ask for/);
  });

  test('narrowResources: a subset of the grant narrows; outside it is invalid_target; a grant without resources takes any allowed', () => {
    const { app } = makeApp();
    assert.deepEqual(narrowResources([API, PHOTOS], { resource: PHOTOS }, app), [PHOTOS]);
    assert.deepEqual(narrowResources([API, PHOTOS], {}, app), [API, PHOTOS]);
    throwsWith(() => narrowResources([API], { resource: PHOTOS }, app), 'invalid_target', /was not granted/);
    assert.deepEqual(narrowResources([], { resource: PHOTOS }, app), [PHOTOS]);
  });

  test('audienceOf: the client_id without resources, a string for one, an array for several', () => {
    assert.equal(audienceOf(undefined, 'c'), 'c');
    assert.equal(audienceOf([], 'c'), 'c');
    assert.equal(audienceOf([API], 'c'), API);
    assert.deepEqual(audienceOf([API, PHOTOS], 'c'), [API, PHOTOS]);
  });

  test('the device grant keeps the resources of its authorization; a poll narrows the access token, the refresh token keeps them', async () => {
    const deps = tokenDeps();
    const client = makeApp();
    await deps.stores.apps.createApp(client.app);
    const issued = await requestDeviceAuthorization(
      { apps: deps.stores.apps, devices: deps.stores.devices, lifetimes: deps.lifetimes, knownScopes: deps.knownScopes, issuer: 'https://gatehouse.test', now: deps.clock.now() },
      { authorization: undefined, params: { client_id: client.app.clientId, resource: [API, PHOTOS] } },
    );
    const id = Number(issued.device_code.split('.')[0]);
    assert.deepEqual((await deps.stores.devices.findDevice(id))?.resources, [API, PHOTOS]);
    assert.equal(await deps.stores.devices.decideDevice(id, 'approved', 'uid-1', deps.clock.now()), true);
    const poll = { app: client.app, presented: issued.device_code, parameter: 'device_code' as const, declined: 'access_denied' as const, now: deps.clock.now() };
    const pollDeps = { devices: deps.stores.devices, tokens: deps.stores.tokens, users: deps.stores.users, openid: deps.openid, lifetimes: deps.lifetimes };
    await rejectsWith(pollDevice(pollDeps, { ...poll, params: { resource: 'https://elsewhere.example.com/' } }), 'invalid_target', /was not granted/);
    deps.clock.advance(10);
    const response = await pollDevice(pollDeps, { ...poll, now: deps.clock.now(), params: { resource: API } });
    const access = await deps.stores.tokens.findToken(Number(response.access_token.split('.')[0]));
    const refresh = await deps.stores.tokens.findToken(Number(response.refresh_token!.split('.')[0]));
    assert.deepEqual(access?.audience, [API]);
    assert.deepEqual(refresh?.audience, [API, PHOTOS]);
  });

  test('client credentials: the resource becomes the audience of the row; none leaves the row without one', async () => {
    const deps = tokenDeps();
    const client = makeApp();
    await deps.stores.apps.createApp(client.app);
    const named = await exchangeToken(deps, { authorization: undefined, params: { grant_type: 'client_credentials', resource: API, ...credentials(client) } });
    assert.deepEqual((await deps.stores.tokens.findToken(Number(named.access_token.split('.')[0])))?.audience, [API]);
    const plain = await exchangeToken(deps, { authorization: undefined, params: { grant_type: 'client_credentials', ...credentials(client) } });
    assert.equal((await deps.stores.tokens.findToken(Number(plain.access_token.split('.')[0])))?.audience, undefined);
  });
});
