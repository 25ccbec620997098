/** Dynamic registration (RFC 7591) and its management (RFC 7592), SPEC §9: modes, metadata, answers. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createInitialAccessToken } from '../../src/core/initial-access-tokens.js';
import { appJson } from '../../src/http/admin/wire.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { assertError, assertInvalidToken, call, PUBLIC_CLIENT, register } from './helpers.js';

const EC_KEY = { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' };

describe('registration off (the default)', () => {
  let server: TestServer;
  before(async () => (server = await startServer()));
  after(() => server.close());

  test('POST /oauth/2.0/register is an unknown path and the metadata has no registration_endpoint', async () => {
    const answer = await register(server.url, PUBLIC_CLIENT);
    assert.equal(answer.status, 404);
    assert.equal((await call(`${server.url}/oauth/2.0/register/abc`, { token: 'x' })).status, 404);
    const metadata = (await call(`${server.url}/.well-known/oauth-authorization-server`)).body;
    assert.equal('registration_endpoint' in metadata, false);
    assert.equal(metadata['client_id_metadata_document_supported'], false);
  });
});

describe('registration open', () => {
  let server: TestServer;
  before(async () => (server = await startServer({ env: { GATEHOUSE_REGISTRATION: 'open', GATEHOUSE_REGISTRATION_RATE: '1000' } })));
  after(() => server.close());

  test('the metadata lists registration_endpoint', async () => {
    const metadata = (await call(`${server.url}/.well-known/openid-configuration`)).body;
    assert.equal(metadata['registration_endpoint'], `${server.url}/oauth/2.0/register`);
  });

  test('a public client: 201 with the metadata as registered, a registration access token, no secret', async () => {
    const answer = await register(server.url, { ...PUBLIC_CLIENT, logo_uri: 'https://cli.example.org/logo.png', software_id: 'cli', software_version: '1.2', contacts: ['ignored@example.org'] });
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    const body = answer.body;
    assert.equal(typeof body['client_id'], 'string');
    assert.equal(typeof body['client_id_issued_at'], 'number');
    assert.equal(typeof body['registration_access_token'], 'string');
    assert.equal(body['registration_client_uri'], `${server.url}/oauth/2.0/register/${body['client_id'] as string}`);
    assert.equal('client_secret' in body, false);
    assert.equal('contacts' in body, false);
    assert.deepEqual(
      { ...body, client_id: 'X', client_id_issued_at: 0, registration_access_token: 'T', registration_client_uri: 'U' },
      {
        client_id: 'X',
        client_id_issued_at: 0,
        registration_access_token: 'T',
        registration_client_uri: 'U',
        client_name: 'CLI tool',
        redirect_uris: ['http://127.0.0.1:33418/callback'],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
        scope: 'basic',
        application_type: 'web',
        logo_uri: 'https://cli.example.org/logo.png',
        software_id: 'cli',
        software_version: '1.2',
      },
    );
    const app = await server.instance.services.stores.apps.findApp(body['client_id'] as string);
    assert.equal(app?.registration, 'dynamic');
    assert.equal(app?.isPublic, true);
    // The admin API and `clients list --json` say how the app came to be.
    assert.equal(appJson(app!).registration, 'dynamic');
    assert.equal(appJson((await server.createApp()).app).registration, null);
    // Only the hash of the registration access token is kept.
    assert.notEqual(app?.registrationTokenHash, body['registration_access_token']);
    assert.equal(JSON.stringify(app).includes(body['registration_access_token'] as string), false);
  });

  test('a confidential client gets a Secret Key (client_secret_expires_at 0) that works at the token endpoint', async () => {
    const answer = await register(server.url, { client_name: 'Backend', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_post' });
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    assert.equal(answer.body['client_secret_expires_at'], 0);
    assert.deepEqual(answer.body['response_types'], []);
    const token = await fetch(`${server.url}/oauth/2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: answer.body['client_id'] as string, client_secret: answer.body['client_secret'] as string }),
    });
    assert.equal(token.status, 200);
    const app = await server.instance.services.stores.apps.findApp(answer.body['client_id'] as string);
    assert.notEqual(app?.secretHash, answer.body['client_secret']);
  });

  test('private_key_jwt with jwks, and client_secret_jwt (its Secret Key sealed), are kept as the app\'s only method', async () => {
    const keyed = await register(server.url, { ...PUBLIC_CLIENT, token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [EC_KEY] } });
    assert.equal(keyed.status, 201, JSON.stringify(keyed.body));
    assert.equal(keyed.body['token_endpoint_auth_method'], 'private_key_jwt');
    assert.deepEqual(keyed.body['jwks'], { keys: [EC_KEY] });
    const keyedApp = await server.instance.services.stores.apps.findApp(keyed.body['client_id'] as string);
    assert.equal(keyedApp?.tokenEndpointAuthMethod, 'private_key_jwt');
    assert.deepEqual(keyedApp?.jwks, { keys: [EC_KEY] });

    const hmac = await register(server.url, { ...PUBLIC_CLIENT, token_endpoint_auth_method: 'client_secret_jwt' });
    assert.equal(hmac.status, 201, JSON.stringify(hmac.body));
    const hmacApp = await server.instance.services.stores.apps.findApp(hmac.body['client_id'] as string);
    assert.equal(hmacApp?.tokenEndpointAuthMethod, 'client_secret_jwt');
    assert.notEqual(hmacApp?.sealedSecret, null);
    assert.equal(hmacApp?.sealedSecret?.includes(hmac.body['client_secret'] as string), false);
  });

  test('the root domain is the redirect URIs\' one registrable domain', async () => {
    const answer = await register(server.url, { redirect_uris: ['https://app.example.co.uk/cb', 'https://login.example.co.uk/cb'], client_name: 'Web' });
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    const app = await server.instance.services.stores.apps.findApp(answer.body['client_id'] as string);
    assert.equal(app?.rootDomain, 'example.co.uk');
    assert.deepEqual(app?.redirectUris, ['https://app.example.co.uk/cb', 'https://login.example.co.uk/cb']);
    assert.equal(answer.body['token_endpoint_auth_method'], 'client_secret_basic');
  });

  test('RFC 7592: read (200), replace (200, the same token), delete (204), then the token is dead', async () => {
    const made = (await register(server.url, PUBLIC_CLIENT)).body;
    const uri = made['registration_client_uri'] as string;
    const token = made['registration_access_token'] as string;

    const read = await call(uri, { token });
    assert.equal(read.status, 200);
    assert.equal(read.body['client_id'], made['client_id']);
    assert.equal(read.body['client_name'], 'CLI tool');
    assert.equal(read.body['registration_client_uri'], uri);

    const replaced = await call(uri, { method: 'PUT', token, json: { ...PUBLIC_CLIENT, client_id: made['client_id'], client_name: 'Renamed', redirect_uris: ['http://127.0.0.1:9/cb'] } });
    assert.equal(replaced.status, 200, JSON.stringify(replaced.body));
    assert.equal(replaced.body['client_name'], 'Renamed');
    assert.deepEqual(replaced.body['redirect_uris'], ['http://127.0.0.1:9/cb']);
    assert.equal((await call(uri, { token })).body['client_name'], 'Renamed');

    const wrongId = await call(uri, { method: 'PUT', token, json: { ...PUBLIC_CLIENT, client_id: 'someone-else' } });
    assertError(wrongId, 400, 'invalid_client_metadata', /client_id/);

    const deleted = await fetch(uri, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    assert.equal(deleted.status, 204);
    assertInvalidToken(await call(uri, { token }));
    assert.equal(await server.instance.services.stores.apps.findApp(made['client_id'] as string), undefined);
  });

  test('a missing or wrong registration access token, or another app\'s: 401 invalid_token', async () => {
    const mine = (await register(server.url, PUBLIC_CLIENT)).body;
    const theirs = (await register(server.url, PUBLIC_CLIENT)).body;
    const uri = mine['registration_client_uri'] as string;
    assertInvalidToken(await call(uri));
    assertInvalidToken(await call(uri, { token: 'wrong' }));
    assertInvalidToken(await call(uri, { token: theirs['registration_access_token'] as string }));
    assertInvalidToken(await call(uri, { method: 'PUT', token: theirs['registration_access_token'] as string, json: { ...PUBLIC_CLIENT, client_id: mine['client_id'] } }));
    const deleteOther = await fetch(uri, { method: 'DELETE', headers: { authorization: `Bearer ${theirs['registration_access_token'] as string}` } });
    assert.equal(deleteOther.status, 401);
    assert.ok(await server.instance.services.stores.apps.findApp(mine['client_id'] as string));
    // An app made by an operator has no registration access token at all.
    const operators = await server.createApp();
    assertInvalidToken(await call(`${server.url}/oauth/2.0/register/${operators.clientId}`, { token: 'anything' }));
  });

  test('a deleted app\'s tokens are all dead', async () => {
    const made = (await register(server.url, { grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic' })).body;
    const basic = `Basic ${Buffer.from(`${made['client_id'] as string}:${made['client_secret'] as string}`).toString('base64')}`;
    const issued = (await (
      await fetch(`${server.url}/oauth/2.0/token`, { method: 'POST', headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' })
    ).json()) as { access_token: string };
    const tokeninfo = async () => (await fetch(`${server.url}/oauth/2.0/tokeninfo?access_token=${encodeURIComponent(issued.access_token)}`)).status;
    assert.equal(await tokeninfo(), 200);
    const deleted = await fetch(made['registration_client_uri'] as string, { method: 'DELETE', headers: { authorization: `Bearer ${made['registration_access_token'] as string}` } });
    assert.equal(deleted.status, 204);
    assert.equal(await tokeninfo(), 400);
    const again = await fetch(`${server.url}/oauth/2.0/token`, { method: 'POST', headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
    assert.equal(again.status, 401);
  });

  test('invalid_client_metadata names the member', async () => {
    const cases: [unknown, RegExp][] = [
      [[], /JSON object/],
      [{ ...PUBLIC_CLIENT, grant_types: 'authorization_code' }, /grant_types must be an array/],
      [{ ...PUBLIC_CLIENT, grant_types: ['password'] }, /grant_types: "password" is not supported/],
      [{ ...PUBLIC_CLIENT, response_types: ['token'] }, /response_types: token needs implicit/],
      [{ ...PUBLIC_CLIENT, token_endpoint_auth_method: 'magic' }, /token_endpoint_auth_method must be one of/],
      [{ ...PUBLIC_CLIENT, grant_types: ['client_credentials'], response_types: [] }, /client_credentials needs a confidential client/],
      [{ ...PUBLIC_CLIENT, scope: 'basic nosuchscope' }, /scope: unknown scope "nosuchscope"/],
      [{ ...PUBLIC_CLIENT, scope: 'gatehouse:admin' }, /scope: .*only for admin apps/],
      [{ ...PUBLIC_CLIENT, client_name: 'x'.repeat(101) }, /client_name must be at most 100/],
      [{ ...PUBLIC_CLIENT, logo_uri: 'javascript:alert(1)' }, /logo_uri must be an http\(s\) URL/],
      [{ ...PUBLIC_CLIENT, jwks: { keys: [] } }, /jwks must hold 1 to 20 keys/],
      [{ ...PUBLIC_CLIENT, jwks: '{"keys":[]}' }, /jwks must be a JWK Set/],
      [{ ...PUBLIC_CLIENT, token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [{ ...EC_KEY, d: 'secret' }] } }, /private member "d"/],
      [{ ...PUBLIC_CLIENT, token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'https://a.example.org/jwks', jwks: { keys: [EC_KEY] } }, /not both/],
      [{ ...PUBLIC_CLIENT, token_endpoint_auth_method: 'private_key_jwt' }, /private_key_jwt needs the app's public keys/],
      [{ ...PUBLIC_CLIENT, application_type: 'desktop' }, /application_type must be web or native/],
      [{ ...PUBLIC_CLIENT, backchannel_logout_uri: 'http://example.org/logout' }, /back-channel logout URI .* must be https/],
      [{ ...PUBLIC_CLIENT, software_id: 42 }, /software_id must be a string/],
    ];
    for (const [metadata, description] of cases) assertError(await register(server.url, metadata), 400, 'invalid_client_metadata', description);
    assertError(await call(`${server.url}/oauth/2.0/register`, { body: '{"redirect_uris": [', contentType: 'application/json' }), 400, 'invalid_client_metadata', /not valid JSON/);
    assertError(await call(`${server.url}/oauth/2.0/register`, { body: 'client_name=x', contentType: 'application/x-www-form-urlencoded' }), 400, 'invalid_client_metadata', /send application\/json/);
  });

  test('a wrong method answers 405 with Allow', async () => {
    const answer = await fetch(`${server.url}/oauth/2.0/register`);
    assert.equal(answer.status, 405);
    assert.equal(answer.headers.get('allow'), 'POST');
  });
});

describe('registration with initial access tokens (GATEHOUSE_REGISTRATION=token)', () => {
  let server: TestServer;
  before(async () => (server = await startServer({ env: { GATEHOUSE_REGISTRATION: 'token' } })));
  after(() => server.close());

  const make = (uses: number, expiresSeconds = 60, now = Date.now()) => createInitialAccessToken(server.instance.services.stores.registrationTokens, { uses, expiresSeconds, now });

  test('without, or with a wrong one: 401 invalid_token, and nothing is registered', async () => {
    const before = (await server.instance.services.stores.apps.listApps()).length;
    assertInvalidToken(await register(server.url, PUBLIC_CLIENT), /initial access token/);
    assertInvalidToken(await register(server.url, PUBLIC_CLIENT, 'wrong'));
    assertInvalidToken(await register(server.url, PUBLIC_CLIENT, '1.wrong'));
    assert.equal((await server.instance.services.stores.apps.listApps()).length, before);
  });

  test('a token of two uses admits two registrations, even racing, then 401', async () => {
    const { token } = await make(2);
    const answers = await Promise.all([1, 2, 3, 4].map(() => register(server.url, PUBLIC_CLIENT, token)));
    assert.deepEqual(answers.map((answer) => answer.status).sort(), [201, 201, 401, 401]);
  });

  test('an expired token: 401', async () => {
    const { token } = await make(5, 1, Date.now() - 5000);
    assertInvalidToken(await register(server.url, PUBLIC_CLIENT, token), /used up or expired/);
  });
});
