import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authenticateClient, parseBasic } from '../../src/core/client-auth.js';
import { hashSecret } from '../../src/core/tokens.js';
import { createMemoryStores } from '../../src/storage/memory/index.js';
import { basic, makeApp, rejectsWith } from '../helpers/fixtures.js';

async function setup() {
  const { apps } = createMemoryStores();
  const confidential = makeApp();
  const publicApp = makeApp({ isPublic: true });
  const disabled = makeApp({ disabled: true });
  // An id and a secret that change when form-encoded (RFC 6749 §2.3.1).
  const odd = makeApp({ clientId: 'odd id:1', secret: 'p a+s%s:w' });
  for (const { app } of [confidential, publicApp, disabled, odd]) await apps.createApp(app);
  return { apps, confidential, publicApp, disabled, odd };
}

describe('authenticateClient', () => {
  it('accepts client_id and client_secret parameters (Baidu, client_secret_post)', async () => {
    const { apps, confidential } = await setup();
    const app = await authenticateClient(apps, { authorization: undefined, params: { client_id: confidential.app.clientId, client_secret: confidential.secret } });
    assert.equal(app.clientId, confidential.app.clientId);
  });
  it('accepts HTTP Basic (client_secret_basic), also with a matching client_id parameter', async () => {
    const { apps, confidential } = await setup();
    const authorization = basic(confidential.app.clientId, confidential.secret!);
    assert.equal((await authenticateClient(apps, { authorization, params: {} })).clientId, confidential.app.clientId);
    assert.equal((await authenticateClient(apps, { authorization, params: { client_id: confidential.app.clientId } })).clientId, confidential.app.clientId);
  });
  it('form-decodes both halves of HTTP Basic credentials', async () => {
    const { apps, odd } = await setup();
    const app = await authenticateClient(apps, { authorization: basic('odd id:1', 'p a+s%s:w'), params: {} });
    assert.equal(app.clientId, 'odd id:1');
    assert.equal(app.secretHash, hashSecret('p a+s%s:w'));
    assert.equal(odd.app.clientId, 'odd id:1');
  });
  it('accepts a public app with client_id alone (none)', async () => {
    const { apps, publicApp } = await setup();
    assert.equal((await authenticateClient(apps, { authorization: undefined, params: { client_id: publicApp.app.clientId } })).clientId, publicApp.app.clientId);
  });
  it('rejects a secret sent both by Basic and as a parameter with invalid_request', async () => {
    const { apps, confidential } = await setup();
    const { app, secret } = confidential;
    await rejectsWith(
      authenticateClient(apps, { authorization: basic(app.clientId, secret!), params: { client_secret: secret } }),
      'invalid_request',
      /HTTP Basic and the client_secret parameter/,
    );
  });
  it('rejects a client_id parameter that differs from the Basic user with invalid_request', async () => {
    const { apps, confidential, publicApp } = await setup();
    await rejectsWith(
      authenticateClient(apps, { authorization: basic(confidential.app.clientId, confidential.secret!), params: { client_id: publicApp.app.clientId } }),
      'invalid_request',
      /client_id parameter differs/,
    );
  });
  it('rejects a wrong secret with invalid_client, marking whether Basic was tried and never echoing it', async () => {
    const { apps, confidential } = await setup();
    const id = confidential.app.clientId;
    const wrong = 'Wr0ngS3cretValue';
    const viaBasic = await rejectsWith(authenticateClient(apps, { authorization: basic(id, wrong), params: {} }), 'invalid_client', /client_secret is wrong/);
    assert.equal(viaBasic.triedBasic, true);
    assert.equal(viaBasic.clientId, id);
    const viaPost = await rejectsWith(authenticateClient(apps, { authorization: undefined, params: { client_id: id, client_secret: wrong } }), 'invalid_client', /client_secret is wrong/);
    assert.equal(viaPost.triedBasic, false);
    for (const error of [viaBasic, viaPost]) assert.ok(!error.description.includes(wrong) && !(error.detail ?? '').includes(wrong));
  });
  it('rejects a confidential app without a secret with invalid_client', async () => {
    const { apps, confidential } = await setup();
    await rejectsWith(authenticateClient(apps, { authorization: undefined, params: { client_id: confidential.app.clientId } }), 'invalid_client', /missing client_secret/);
  });
  it('rejects a secret sent for a public app with invalid_client', async () => {
    const { apps, publicApp } = await setup();
    await rejectsWith(
      authenticateClient(apps, { authorization: undefined, params: { client_id: publicApp.app.clientId, client_secret: 'x' } }),
      'invalid_client',
      /public and has no client_secret/,
    );
  });
  it('rejects an unknown client_id with invalid_client naming it', async () => {
    const { apps } = await setup();
    const error = await rejectsWith(authenticateClient(apps, { authorization: basic('nobody', 'x'), params: {} }), 'invalid_client', /unknown client_id nobody/);
    assert.equal(error.triedBasic, true);
  });
  it('rejects a disabled app with invalid_client even with the right secret', async () => {
    const { apps, disabled } = await setup();
    await rejectsWith(
      authenticateClient(apps, { authorization: undefined, params: { client_id: disabled.app.clientId, client_secret: disabled.secret } }),
      'invalid_client',
      /disabled/,
    );
  });
  it('rejects a request with no client at all with invalid_request naming client_id', async () => {
    const { apps } = await setup();
    await rejectsWith(authenticateClient(apps, { authorization: undefined, params: {} }), 'invalid_request', /client_id/);
  });
  it('rejects a repeated client_id parameter with invalid_request', async () => {
    const { apps, publicApp } = await setup();
    const id = publicApp.app.clientId;
    await rejectsWith(authenticateClient(apps, { authorization: undefined, params: { client_id: [id, id] } }), 'invalid_request', /client_id is repeated/);
  });
  it('rejects unreadable Basic credentials with invalid_client and triedBasic', async () => {
    const { apps } = await setup();
    const noColon = `Basic ${Buffer.from('just-an-id').toString('base64')}`;
    const error = await rejectsWith(authenticateClient(apps, { authorization: noColon, params: {} }), 'invalid_client', /HTTP Basic/);
    assert.equal(error.triedBasic, true);
  });
});

describe('parseBasic', () => {
  it('ignores other schemes and reads the Basic scheme case-insensitively', () => {
    assert.equal(parseBasic(undefined), undefined);
    assert.equal(parseBasic('Bearer abc'), undefined);
    assert.deepEqual(parseBasic(`basic ${Buffer.from('id:se:cret').toString('base64')}`), { clientId: 'id', clientSecret: 'se:cret' });
  });
  it('calls an empty user or bad percent-encoding malformed', () => {
    assert.equal(parseBasic(`Basic ${Buffer.from(':secret').toString('base64')}`), 'malformed');
    assert.equal(parseBasic(`Basic ${Buffer.from('id:%E0%A4%A').toString('base64')}`), 'malformed');
  });
});
