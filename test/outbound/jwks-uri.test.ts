/**
 * private_key_jwt with keys at a jwks_uri (SPEC §8, §9): fetched through the
 * SSRF-safe fetcher with a deadline and a size cap, cached, refetched on an
 * unknown kid at most once a minute; loopback, private and link-local
 * addresses refused unless GATEHOUSE_ALLOW_PRIVATE_FETCH=1. Every failure is
 * invalid_client, bounded in time.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { authenticateClient } from '../../src/core/client-auth.js';
import type { App, ClientJwks } from '../../src/core/model.js';
import { clientKeys } from '../../src/storage/client-keys/index.js';
import { createMemoryStores } from '../../src/storage/memory/index.js';
import { claims, form, keyPair, replayCache, sign, type KeyPair } from '../helpers/assertions.js';
import { fakeClock, makeApp, rejectsWith } from '../helpers/fixtures.js';

const ISSUER = 'https://gatehouse.test';

describe('private_key_jwt with a jwks_uri', () => {
  let first: KeyPair;
  let rotated: KeyPair;
  let served: ClientJwks;
  let hits: Record<string, number>;
  let server: Server;
  let base: string;
  const clock = fakeClock();
  const stores = createMemoryStores();
  // GATEHOUSE_ALLOW_PRIVATE_FETCH=1: the test server is on loopback.
  const lab = clientKeys({ keysSecret: undefined, allowPrivateFetch: true, fetch: { timeoutMs: 500, now: clock.now } });
  const strict = clientKeys({ keysSecret: undefined, allowPrivateFetch: false, fetch: { timeoutMs: 500, now: clock.now } });

  const routes: Record<string, (request: IncomingMessage, response: ServerResponse) => void> = {
    '/jwks': (_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(served)),
    '/redirect-metadata': (_request, response) => response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end(),
    '/redirect-here': (_request, response) => response.writeHead(302, { location: `${base}/jwks` }).end(),
    // 10 MB of a JSON string: the body is cut at 64 KiB and refused.
    '/huge': (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(1024 * 1024, 'a');
      response.write('{"keys":[],"x":"');
      let sent = 0;
      const more = () => {
        while (sent < 10 && response.write(chunk)) sent++;
        if (sent < 10) response.once('drain', more);
        else response.end('"}');
      };
      more();
      response.on('error', () => {});
    },
    '/never': () => {
      // Never answers: the fetch's deadline ends it.
    },
    '/not-json': (_request, response) => response.writeHead(200).end('<html>'),
  };

  const appAt = async (path: string): Promise<App> => {
    const { app } = makeApp({ jwksUri: `${base}${path}`, tokenEndpointAuthMethod: 'private_key_jwt' });
    await stores.apps.createApp(app);
    return app;
  };
  const authenticate = (keys: typeof lab, assertion: string) =>
    authenticateClient(stores.apps, { authorization: undefined, params: form(assertion), assertion: { keys, replays: replayCache(), audiences: [ISSUER], now: clock.now() } });
  const assertionFor = (app: App, key: KeyPair) => sign(key.privateKey, 'ES256', claims(app.clientId, ISSUER, {}, clock.now()), { kid: key.publicJwk.kid as string });

  before(async () => {
    first = await keyPair('ES256', 'first');
    rotated = await keyPair('ES256', 'rotated');
    server = createServer((request, response) => {
      const path = new URL(request.url ?? '/', 'http://x').pathname;
      hits[path] = (hits[path] ?? 0) + 1;
      (routes[path] ?? ((_q, r: ServerResponse) => r.writeHead(404).end()))(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    hits = {};
    served = { keys: [first.publicJwk] };
  });

  it('fetches the keys once and serves the cached set to the next assertions', async () => {
    const app = await appAt('/jwks');
    assert.equal((await authenticate(lab, await assertionFor(app, first))).clientId, app.clientId);
    assert.equal((await authenticate(lab, await assertionFor(app, first))).clientId, app.clientId);
    assert.equal(hits['/jwks'], 1);
  });

  it('refetches on an unknown kid (the app rotated), then at most once a minute', async () => {
    const app = await appAt('/jwks');
    await authenticate(lab, await assertionFor(app, first));
    clock.advance(61);
    served = { keys: [first.publicJwk, rotated.publicJwk] };
    assert.equal((await authenticate(lab, await assertionFor(app, rotated))).clientId, app.clientId);
    assert.equal(hits['/jwks'], 2);
    // Made-up kids within the minute: no fetch at all, invalid_client.
    const stranger = await keyPair('ES256', 'made-up');
    for (let i = 0; i < 5; i++) await rejectsWith(authenticate(lab, await assertionFor(app, stranger)), 'invalid_client', /not signed by a key of this app/);
    assert.equal(hits['/jwks'], 2);
    clock.advance(61);
    await rejectsWith(authenticate(lab, await assertionFor(app, stranger)), 'invalid_client', /not signed by a key of this app/);
    assert.equal(hits['/jwks'], 3);
  });

  it('refuses loopback, private and link-local jwks_uri without GATEHOUSE_ALLOW_PRIVATE_FETCH, and never connects', async () => {
    for (const uri of [`${base}/jwks`, 'https://127.0.0.1/jwks', 'https://10.0.0.1/jwks', 'https://169.254.169.254/latest/meta-data/', 'https://[::1]/jwks', 'http://10.0.0.1/jwks']) {
      const { app } = makeApp({ jwksUri: uri, tokenEndpointAuthMethod: 'private_key_jwt' });
      await stores.apps.createApp(app);
      const error = await rejectsWith(authenticate(strict, await assertionFor(app, first)), 'invalid_client', /keys could not be had \(jwks_uri\)/);
      assert.equal(error.status, 401);
      assert.match(error.detail ?? '', /not fetched|not allowed|only from a loopback host/);
    }
    assert.equal(hits['/jwks'], undefined);
  });

  it('does not follow a redirect, to the metadata address or anywhere', async () => {
    for (const path of ['/redirect-metadata', '/redirect-here']) {
      const app = await appAt(path);
      const error = await rejectsWith(authenticate(lab, await assertionFor(app, first)), 'invalid_client', /jwks_uri/);
      assert.match(error.detail ?? '', /answered 302/);
    }
    assert.equal(hits['/jwks'], undefined);
  });

  it('refuses a 10 MB body, reading no more than the cap', async () => {
    const app = await appAt('/huge');
    const error = await rejectsWith(authenticate(lab, await assertionFor(app, first)), 'invalid_client', /jwks_uri/);
    assert.match(error.detail ?? '', /more than 65536 bytes/);
  });

  it('gives up on a server that never answers, at the deadline', async () => {
    const app = await appAt('/never');
    const error = await rejectsWith(authenticate(lab, await assertionFor(app, first)), 'invalid_client', /jwks_uri/);
    assert.match(error.detail ?? '', /timed out/);
  });

  it('refuses an answer that is not a JWK Set of public keys', async () => {
    const notJson = await appAt('/not-json');
    assert.match((await rejectsWith(authenticate(lab, await assertionFor(notJson, first)), 'invalid_client', /jwks_uri/)).detail ?? '', /not answer JSON/);
    served = { keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 'first' }] };
    const symmetric = await appAt('/jwks');
    assert.match((await rejectsWith(authenticate(lab, await assertionFor(symmetric, first)), 'invalid_client', /jwks_uri/)).detail ?? '', /no usable public key/);
  });
});
