/** The one module every outbound fetch goes through (src/storage/outbound/fetch.ts): address rules, scheme rules, timeout, size cap, redirects. */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { OutboundError, OutboundRefused, outboundFetch } from '../../src/storage/outbound/fetch.js';

describe('outboundFetch', () => {
  let server: Server;
  let base: string;
  before(async () => {
    server = createServer((request, response) => {
      if (request.url === '/big') response.end('x'.repeat(200_000));
      else if (request.url === '/hang') response.flushHeaders();
      else if (request.url === '/redirect') response.writeHead(302, { location: '/small' }).end();
      else response.end('small');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const strict = { allowPrivate: false };
  const lab = { allowPrivate: true };

  for (const url of ['https://127.0.0.1:1/', 'https://[::1]:1/', 'https://10.1.2.3/', 'https://192.168.0.1/', 'https://169.254.169.254/latest/meta-data', 'https://localhost:1/', 'https://0.0.0.0:1/']) {
    test(`refuses ${url} without GATEHOUSE_ALLOW_PRIVATE_FETCH (checked on the address it connects to)`, async () => {
      await assert.rejects(outboundFetch(url, { timeoutMs: 2000 }, strict), (error: unknown) => error instanceof OutboundRefused && /not allowed|not fetched/.test(error.message));
    });
  }

  test('plain http: refused off loopback always, and on loopback unless the flag is on', async () => {
    await assert.rejects(outboundFetch('http://example.com/', {}, lab), (error: unknown) => error instanceof OutboundRefused && /plain http is fetched only from a loopback host/.test(error.message));
    await assert.rejects(outboundFetch(`${base}/small`, {}, strict), (error: unknown) => error instanceof OutboundRefused && /GATEHOUSE_ALLOW_PRIVATE_FETCH=1/.test(error.message));
    await assert.rejects(outboundFetch('ftp://example.com/', {}, lab), OutboundRefused);
    await assert.rejects(outboundFetch('https://user:pw@example.com/', {}, lab), OutboundRefused);
    const answer = await outboundFetch(`${base}/small`, {}, lab);
    assert.equal(answer.status, 200);
    assert.equal(answer.body.toString(), 'small');
    assert.equal(answer.truncated, false);
  });

  test('reads at most maxBytes of the body', async () => {
    const answer = await outboundFetch(`${base}/big`, { maxBytes: 1000 }, lab);
    assert.equal(answer.body.length, 1000);
    assert.equal(answer.truncated, true);
  });

  test('one deadline for the whole exchange', async () => {
    await assert.rejects(outboundFetch(`${base}/hang`, { timeoutMs: 200 }, lab), (error: unknown) => error instanceof OutboundError && /timed out after 200 ms/.test(error.message));
  });

  test('redirects are not followed unless allowed, and each hop obeys the same rules', async () => {
    const unfollowed = await outboundFetch(`${base}/redirect`, {}, lab);
    assert.equal(unfollowed.status, 302);
    const followed = await outboundFetch(`${base}/redirect`, { maxRedirects: 1 }, lab);
    assert.equal(followed.status, 200);
    assert.equal(followed.url, `${base}/small`);
  });
});
