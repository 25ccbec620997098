/**
 * SPEC §10 / issue 16, every bad input: each answers an RFC 9457 problem with
 * its exact status, type, title and the field at fault, and changes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminFixture, call, clientCredentials, PROBLEM, type AdminFixture } from './helpers.js';

describe('admin API bad input', () => {
  let f: AdminFixture;
  let offset = 0;
  before(async () => {
    f = await adminFixture({ deps: { clock: { now: () => Date.now() + offset } } });
  });
  after(() => f.close());

  const validation = (detail: string, errors: { field: string; message: string }[]) => ({
    type: 'urn:gatehouse:problem:validation',
    title: 'The request is not valid',
    status: 400,
    detail,
    errors,
  });
  /** The problem without its request_id (checked to be there, and equal to nothing else). */
  const body = (answer: { json: any }) => {
    assert.match(answer.json.request_id, /^[A-Za-z0-9_-]{22}$/);
    const { request_id: _, ...rest } = answer.json;
    return rest;
  };

  it('rejects an unknown body field with 400 naming it, and creates nothing', async () => {
    const before = await f.call('GET', '/admin/v1/apps?limit=200');
    const answer = await f.call('POST', '/admin/v1/apps', { name: 'Partner', root_domain: 'partner.com', colour: 'blue' });
    assert.equal(answer.status, 400);
    assert.equal(answer.type, PROBLEM);
    assert.deepEqual(body(answer), validation('colour: is not a known field', [{ field: 'colour', message: 'is not a known field' }]));
    assert.equal((await f.call('GET', '/admin/v1/apps?limit=200')).json.items.length, before.json.items.length);
  });

  it('rejects wrong types, naming every field (array members by index)', async () => {
    const answer = await f.call('POST', '/admin/v1/apps', { name: 42, root_domain: 'partner.com', public: 'yes', redirect_uris: ['https://a.partner.com/cb', 7] });
    assert.equal(answer.status, 400);
    assert.deepEqual(
      body(answer),
      validation('name: must be string; redirect_uris[1]: must be string; public: must be boolean', [
        { field: 'name', message: 'must be string' },
        { field: 'redirect_uris[1]', message: 'must be string' },
        { field: 'public', message: 'must be boolean' },
      ]),
    );
  });

  it('rejects a key rotation with an unknown algorithm or field, and rotates nothing', async () => {
    const before = (await f.call('GET', '/admin/v1/keys?limit=200')).json.items;
    const hmac = await f.call('POST', '/admin/v1/keys/rotate', { alg: 'HS256' });
    assert.equal(hmac.status, 400);
    assert.equal(hmac.type, PROBLEM);
    assert.deepEqual(body(hmac), validation('alg: must be equal to one of the allowed values', [{ field: 'alg', message: 'must be equal to one of the allowed values' }]));
    const unknown = await f.call('POST', '/admin/v1/keys/rotate', { alg: 'ES256', now: true });
    assert.deepEqual(body(unknown), validation('now: is not a known field', [{ field: 'now', message: 'is not a known field' }]));
    assert.deepEqual((await f.call('GET', '/admin/v1/keys?limit=200')).json.items, before);
    assert.equal((await f.call('POST', '/admin/v1/keys/rotate', {}, null)).status, 401);
  });

  it('rejects a missing required field and a value the core refuses, naming the field', async () => {
    const missing = await f.call('POST', '/admin/v1/apps', { name: 'Partner' });
    assert.deepEqual(body(missing), validation('root_domain: is required', [{ field: 'root_domain', message: 'is required' }]));
    const suffix = await f.call('POST', '/admin/v1/apps', { name: 'Partner', root_domain: 'co.uk' });
    assert.equal(suffix.status, 400);
    assert.equal(suffix.json.errors[0].field, 'root_domain');
  });

  it('rejects a body that is not JSON (400) and a form body (415)', async () => {
    const broken = await f.call('POST', '/admin/v1/scopes', '{"name": ');
    assert.equal(broken.status, 400);
    assert.deepEqual(body(broken), validation('(body): is not valid JSON', [{ field: '(body)', message: 'is not valid JSON' }]));
    const form = await fetch(`${f.server.url}/admin/v1/scopes`, { method: 'POST', headers: { authorization: `Bearer ${f.token}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=x' });
    assert.equal(form.status, 415);
    const json = (await form.json()) as { type: string; detail: string };
    assert.equal(json.type, 'urn:gatehouse:problem:unsupported-media-type');
    assert.equal(json.detail, 'Content-Type application/x-www-form-urlencoded is not supported: send application/json');
  });

  it('rejects limit 0 and 10000, and a limit that is not a number', async () => {
    const cases: [string, string][] = [
      ['0', 'must be >= 1'],
      ['10000', 'must be <= 200'],
      ['ten', 'must be integer'],
    ];
    for (const [limit, message] of cases) {
      const answer = await f.call('GET', `/admin/v1/apps?limit=${limit}`);
      assert.equal(answer.status, 400, limit);
      assert.deepEqual(body(answer), validation(`limit: ${message}`, [{ field: 'limit', message }]));
    }
  });

  it('rejects an unknown query parameter', async () => {
    const answer = await f.call('GET', '/admin/v1/users?page=2');
    assert.deepEqual(body(answer), validation('page: is not a known field', [{ field: 'page', message: 'is not a known field' }]));
  });

  it('rejects a tampered cursor, a cursor of another list and a cursor that is not one', async () => {
    for (let i = 0; i < 3; i++) await f.call('POST', '/admin/v1/scopes', { name: `cursor-test-${i}` });
    const first = await f.call('GET', '/admin/v1/scopes?limit=1');
    const cursor = first.json.next_cursor as string;
    assert.match(cursor, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    const [payload, tag] = cursor.split('.') as [string, string];
    const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = `${Buffer.from(JSON.stringify({ ...decoded, p: 'a' })).toString('base64url')}.${tag}`;
    const tampered = await f.call('GET', `/admin/v1/scopes?limit=1&cursor=${forged}`);
    assert.equal(tampered.status, 400);
    assert.deepEqual(
      body(tampered),
      validation('cursor: cursor was not issued by this server, or was changed', [{ field: 'cursor', message: 'cursor was not issued by this server, or was changed' }]),
    );
    const elsewhere = await f.call('GET', `/admin/v1/users?cursor=${cursor}`);
    assert.deepEqual(body(elsewhere), validation('cursor: cursor belongs to another list, not users', [{ field: 'cursor', message: 'cursor belongs to another list, not users' }]));
    const junk = await f.call('GET', '/admin/v1/scopes?cursor=not-a-cursor');
    assert.equal(junk.json.errors[0].field, 'cursor');
    // The real cursor still works and leads to the next page.
    const second = await f.call('GET', `/admin/v1/scopes?limit=1&cursor=${cursor}`);
    assert.equal(second.status, 200);
    assert.notDeepEqual(second.json.items, first.json.items);
  });

  it('answers 404 problems for an unknown app id, user and path, and 405 for a wrong method', async () => {
    for (const path of ['/admin/v1/apps/no-such-app', '/admin/v1/apps/no-such-app/failures']) {
      const answer = await f.call('GET', path);
      assert.equal(answer.status, 404);
      assert.deepEqual(body(answer), { type: 'urn:gatehouse:problem:not-found', title: 'Not found', status: 404, detail: 'no app with client_id no-such-app' });
    }
    const patch = await f.call('PATCH', '/admin/v1/apps/no-such-app', { name: 'x' });
    assert.equal(patch.status, 404);
    const user = await f.call('POST', '/admin/v1/users/123/disable');
    assert.deepEqual(body(user), { type: 'urn:gatehouse:problem:not-found', title: 'Not found', status: 404, detail: 'no user with uid 123' });
    const path = await f.call('GET', '/admin/v1/nothing-here');
    assert.deepEqual(body(path), { type: 'urn:gatehouse:problem:not-found', title: 'Not found', status: 404, detail: 'there is no admin API route at /admin/v1/nothing-here' });
    const method = await f.call('PUT', '/admin/v1/scopes', { name: 'x' });
    assert.equal(method.status, 405);
    assert.equal(method.headers.get('allow'), 'GET, HEAD, POST');
  });

  it('answers 409 for a duplicate scope and a taken username', async () => {
    const created = await f.call('POST', '/admin/v1/scopes', { name: 'netdisk', description: 'Your files' });
    assert.equal(created.status, 201);
    assert.deepEqual(created.json, { name: 'netdisk', description: 'Your files' });
    const again = await f.call('POST', '/admin/v1/scopes', { name: 'netdisk' });
    assert.equal(again.status, 409);
    assert.equal(again.type, PROBLEM);
    assert.deepEqual(body(again), { type: 'urn:gatehouse:problem:conflict', title: 'Conflict', status: 409, detail: 'scope netdisk exists', errors: [{ field: 'name', message: 'scope netdisk exists' }] });
    const basic = await f.call('POST', '/admin/v1/scopes', { name: 'basic' });
    assert.equal(basic.status, 409);
    await f.call('POST', '/admin/v1/users', { username: 'dup-user', password: 'correct horse battery' });
    const taken = await f.call('POST', '/admin/v1/users', { username: 'dup-user', password: 'correct horse battery' });
    assert.equal(taken.status, 409);
    assert.deepEqual(taken.json.errors, [{ field: 'username', message: 'username dup-user is taken' }]);
  });

  it('answers 413 for a 2 MB body', async () => {
    const answer = await f.call('POST', '/admin/v1/apps', { name: 'x'.repeat(2 * 1024 * 1024), root_domain: 'partner.com' });
    assert.equal(answer.status, 413);
    assert.equal(answer.type, PROBLEM);
    assert.deepEqual(body(answer), { type: 'urn:gatehouse:problem:too-large', title: 'The request body is too large', status: 413, detail: 'the request body is larger than 65536 bytes' });
  });

  it('answers 401 without a token, and with an unknown one, with the RFC 6750 challenge', async () => {
    const none = await f.call('GET', '/admin/v1/apps', undefined, null);
    assert.equal(none.status, 401);
    assert.equal(none.type, PROBLEM);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="gatehouse"');
    assert.deepEqual(body(none), {
      type: 'urn:gatehouse:problem:unauthenticated',
      title: 'An admin access token is required',
      status: 401,
      detail: 'send Authorization: Bearer with an access token that carries gatehouse:admin',
    });
    const unknown = await f.call('GET', '/admin/v1/apps', undefined, '1.nope');
    assert.equal(unknown.status, 401);
    assert.equal(unknown.headers.get('www-authenticate'), 'Bearer realm="gatehouse", error="invalid_token", error_description="the access token is unknown"');
  });

  it('answers 403 to a token without gatehouse:admin (an ordinary app client credentials token)', async () => {
    const ordinary = await f.server.createApp({ name: 'Ordinary' });
    const granted = await clientCredentials(f.server.url, ordinary.clientId, ordinary.clientSecret!);
    assert.equal(granted.status, 200);
    const answer = await f.call('GET', '/admin/v1/apps', undefined, granted.json.access_token);
    assert.equal(answer.status, 403);
    assert.equal(answer.headers.get('www-authenticate'), 'Bearer realm="gatehouse", error="insufficient_scope", scope="gatehouse:admin"');
    assert.deepEqual(body(answer), {
      type: 'urn:gatehouse:problem:forbidden',
      title: 'The access token does not carry the scope gatehouse:admin',
      status: 403,
      detail: 'the access token does not carry the scope gatehouse:admin',
    });
  });

  it('refuses gatehouse:admin to an ordinary app with invalid_scope, and an ordinary app cannot list it', async () => {
    const ordinary = await f.server.createApp({ name: 'Ordinary' });
    const asked = await clientCredentials(f.server.url, ordinary.clientId, ordinary.clientSecret!, 'gatehouse:admin');
    assert.equal(asked.status, 400);
    assert.equal(asked.json.error, 'invalid_scope');
    assert.equal(asked.json.error_description, 'scope gatehouse:admin is granted only by client credentials to an admin app (clients create --admin)');
    const listing = await f.call('POST', '/admin/v1/apps', { name: 'Sneaky', root_domain: 'partner.com', scopes: ['basic', 'gatehouse:admin'] });
    assert.equal(listing.status, 400);
    assert.deepEqual(listing.json.errors, [{ field: 'scopes', message: 'scope gatehouse:admin is only for admin apps (clients create --admin)' }]);
    const reserved = await f.call('POST', '/admin/v1/scopes', { name: 'gatehouse:admin' });
    assert.equal(reserved.status, 400);
    assert.deepEqual(reserved.json.errors, [{ field: 'name', message: 'gatehouse:admin is reserved for the admin API' }]);
  });

  it('answers 401 to a revoked admin token and an expired one', async () => {
    const fresh = await clientCredentials(f.server.url, f.admin.clientId, f.admin.clientSecret);
    const revoke = await fetch(`${f.server.url}/oauth/2.0/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: fresh.json.access_token, client_id: f.admin.clientId, client_secret: f.admin.clientSecret }),
    });
    assert.equal(revoke.status, 200);
    const revoked = await f.call('GET', '/admin/v1/apps', undefined, fresh.json.access_token);
    assert.equal(revoked.status, 401);
    assert.equal(revoked.json.detail, 'the access token has been revoked');
    assert.equal(revoked.headers.get('www-authenticate'), 'Bearer realm="gatehouse", error="invalid_token", error_description="the access token has been revoked"');

    const expiring = await clientCredentials(f.server.url, f.admin.clientId, f.admin.clientSecret);
    offset = 31 * 86_400_000; // past the 30-day access token lifetime
    try {
      const expired = await f.call('GET', '/admin/v1/apps', undefined, expiring.json.access_token);
      assert.equal(expired.status, 401);
      assert.equal(expired.json.detail, 'the access token has expired');
    } finally {
      offset = 0;
    }
  });

  it('answers 401 to the token of a disabled admin app, and again 200 once it is enabled', async () => {
    const other = await call(f.server.url, 'GET', '/admin/v1/apps?limit=1', undefined, f.token);
    assert.equal(other.status, 200);
    const second = await clientCredentials(f.server.url, f.admin.clientId, f.admin.clientSecret);
    assert.equal((await f.call('POST', `/admin/v1/apps/${f.admin.clientId}/disable`)).status, 200);
    const refused = await f.call('GET', '/admin/v1/apps', undefined, second.json.access_token);
    assert.equal(refused.status, 401);
    assert.equal(refused.json.detail, 'the admin app of this access token is disabled');
    // Nobody can call the API now: enable it the way an operator would, from the CLI's core function.
    const { setAppDisabled } = await import('../../src/core/apps.js');
    await setAppDisabled(f.server.instance.services.stores, f.admin.clientId, false, { actor: { type: 'cli', id: 'test' }, address: null, requestId: null, now: Date.now() });
    assert.equal((await f.call('GET', '/admin/v1/apps', undefined, second.json.access_token)).status, 200);
  });

  it('keeps the rest of the server form-only: JSON at the token endpoint is still invalid_request', async () => {
    const response = await fetch(`${f.server.url}/oauth/2.0/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"grant_type":"client_credentials"}' });
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { error: string }).error, 'invalid_request');
  });
});

describe('admin API URLs Fastify cannot route (issue 18 fuzz)', () => {
  let f: AdminFixture;
  before(async () => {
    f = await adminFixture();
  });
  after(() => f.close());

  for (const path of ['/admin/v1/apps/%ZZ', `/admin/v1/apps/${'x'.repeat(300)}`, '/admin/v1/apps/%ZZ/rotate-secret']) {
    it(`answers ${path.slice(0, 40)}… with a 400 RFC 9457 problem, not an HTML page`, async () => {
      const answer = await f.call('GET', path);
      assert.equal(answer.status, 400);
      assert.equal(answer.type, PROBLEM);
      assert.equal(answer.json.type, 'urn:gatehouse:problem:validation');
      assert.equal(answer.json.title, 'The request is not valid');
      assert.equal(answer.json.status, 400);
      assert.equal(answer.json.detail, 'the request URL is malformed (invalid percent-encoding or too long a path segment)');
    });
  }
});
