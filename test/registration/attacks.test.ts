/** Attacks on dynamic registration (issue 15, SPEC §9): each refused with the exact wire answer. */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { checkJwksUri } from '../../src/storage/outbound/jwks-check.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { assertError, PUBLIC_CLIENT, register } from './helpers.js';

describe('registration attacks', () => {
  let server: TestServer;
  before(async () => (server = await startServer({ env: { GATEHOUSE_REGISTRATION: 'open', GATEHOUSE_REGISTRATION_RATE: '1000' } })));
  after(() => server.close());

  const badRedirects: [string, string[], RegExp][] = [
    ['javascript:', ['javascript:alert(document.domain)'], /scheme javascript is not allowed/],
    ['data:', ['data:text/html,<script>alert(1)</script>'], /scheme data is not allowed/],
    ['a fragment', ['https://app.example.com/cb#frag'], /has a fragment/],
    ['a wildcard', ['https://*.example.com/cb'], /wildcard/],
    ['a wildcard path', ['https://app.example.com/*'], /wildcard/],
    ['http off loopback', ['http://app.example.com/cb'], /must use https/],
    ['two root domains', ['https://app.example.com/cb', 'https://evil.example.net/cb'], /more than one root domain \(example\.com, example\.net\)/],
    ['a relative URI', ['/cb'], /is not an absolute URI/],
    ['user information', ['https://user:pw@app.example.com/cb'], /user information/],
    ['an IP host', ['https://203.0.113.7/cb'], /no registrable domain/],
    ['a public suffix', ['https://co.uk/cb'], /no registrable domain/],
    ['https on loopback', ['https://127.0.0.1/cb'], /use http/],
    ['not a list', 'https://app.example.com/cb' as unknown as string[], /redirect_uris must be an array of strings/],
    ['none at all', [], /redirect_uris is required/],
  ];
  for (const [what, uris, description] of badRedirects) {
    test(`redirect_uris with ${what}: 400 invalid_redirect_uri`, async () => {
      assertError(await register(server.url, { ...PUBLIC_CLIENT, redirect_uris: uris }), 400, 'invalid_redirect_uri', description);
    });
  }

  test('loopback and custom-scheme redirect URIs need no root domain and may go together', async () => {
    const answer = await register(server.url, { ...PUBLIC_CLIENT, redirect_uris: ['http://127.0.0.1/cb', 'http://[::1]:8080/cb', 'http://localhost/cb', 'com.example.app:/cb'] });
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
  });

  test('metadata of 1 MB: 413, nothing registered', async () => {
    const before = (await server.instance.services.stores.apps.listApps()).length;
    const answer = await fetch(`${server.url}/oauth/2.0/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...PUBLIC_CLIENT, client_name: 'x'.repeat(1024 * 1024) }),
    });
    assert.equal(answer.status, 413);
    assert.equal(((await answer.json()) as { error: string }).error, 'invalid_request');
    assert.equal((await server.instance.services.stores.apps.listApps()).length, before);
  });

  const forbidden = ['https://127.0.0.1/jwks', 'https://10.0.0.1/jwks', 'https://172.16.0.1/jwks', 'https://192.168.1.1/jwks', 'https://169.254.169.254/latest/meta-data', 'https://[::1]/jwks', 'https://localhost:1/jwks'];
  for (const uri of forbidden) {
    test(`a jwks_uri of ${uri}: 400 invalid_client_metadata, never fetched`, async () => {
      const answer = await register(server.url, { ...PUBLIC_CLIENT, token_endpoint_auth_method: 'client_secret_basic', jwks_uri: uri });
      assertError(answer, 400, 'invalid_client_metadata', /^jwks_uri: it may not be fetched/);
    });
  }
});

describe('jwks_uri fetch rules', () => {
  let target: Server;
  let base: string;
  before(async () => {
    target = createServer((request, response) => {
      if (request.url === '/to-metadata') response.writeHead(302, { location: 'https://169.254.169.254/latest/meta-data' }).end();
      else if (request.url === '/to-private') response.writeHead(302, { location: 'https://10.0.0.1/jwks' }).end();
      else if (request.url === '/to-v6-loopback') response.writeHead(302, { location: 'https://[::1]/jwks' }).end();
      else if (request.url === '/not-jwks') response.end('{"hello":1}');
      else response.end(JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' }] }));
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => target.close(() => resolve())));

  // The server itself is allowed (as a public host would be); where it redirects is checked again.
  const onlyThisServer = { allowPrivate: false, allowAddresses: ['127.0.0.1'] };

  test('a JWK Set passes; something else does not', async () => {
    assert.equal(await checkJwksUri(`${base}/jwks`, onlyThisServer), undefined);
    assert.equal(await checkJwksUri(`${base}/not-jwks`, onlyThisServer), 'it does not serve a JWK Set ({"keys": [...]})');
  });

  for (const hop of ['/to-metadata', '/to-private', '/to-v6-loopback']) {
    test(`a redirect (${hop}) to a forbidden address is refused on that hop`, async () => {
      assert.match((await checkJwksUri(`${base}${hop}`, onlyThisServer)) ?? '', /^it may not be fetched: the address is not fetched/);
    });
  }
});

describe('registration floods', () => {
  let server: TestServer;
  before(async () => (server = await startServer({ env: { GATEHOUSE_REGISTRATION: 'open', GATEHOUSE_REGISTRATION_RATE: '3' } })));
  after(() => server.close());

  test('from one address: the 4th registration in the hour gets 429 with Retry-After, and the rows stay bounded', async () => {
    const answers = [];
    for (let i = 0; i < 10; i++) answers.push(await register(server.url, PUBLIC_CLIENT));
    assert.deepEqual(
      answers.map((answer) => answer.status),
      [201, 201, 201, 429, 429, 429, 429, 429, 429, 429],
    );
    const refused = answers[3]!;
    assertError(refused, 429, 'invalid_request', /too many registrations from this address/);
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(retryAfter > 0 && retryAfter <= 3600, String(retryAfter));
    assert.equal((await server.instance.services.stores.apps.listApps()).filter((app) => app.registration === 'dynamic').length, 3);
  });
});
