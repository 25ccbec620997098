/**
 * Resource limits (SPEC §4: bad input of any shape gets a clean 4xx): body
 * size, parameter count and length, header size, malformed request lines,
 * timeouts and many idle connections. Raw sockets where fetch would refuse to
 * send what an attacker can.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.js';

/** Sends raw bytes and reads the whole answer (the server closes or we stop after `ms`). */
function rawRequest(port: number, bytes: Buffer | string, ms = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), ms);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    socket.on('error', reject);
    socket.write(bytes);
  });
}

function statusAndJson(answer: string): { status: number; json: Record<string, unknown> } {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
  return { status, json: JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) };
}

describe('resource limits', () => {
  let server: TestServer;
  let port: number;
  let creds: { client_id: string; client_secret: string };

  before(async () => {
    server = await startServer();
    port = Number(new URL(server.url).port);
    const made = await server.createApp();
    creds = { client_id: made.clientId, client_secret: made.clientSecret! };
  });
  after(() => server.close());

  const token = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/oauth/2.0/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });

  it('answers a body of 64 KiB + 1 byte with 413 and a SPEC §4 JSON error, and accepts 64 KiB', async () => {
    const base = new URLSearchParams({ grant_type: 'client_credentials', ...creds }).toString();
    const atLimit = `${base}&pad=${'a'.repeat(64 * 1024 - base.length - 5)}`;
    assert.equal(Buffer.byteLength(atLimit), 64 * 1024);
    assert.equal((await token(atLimit)).status, 200);
    const over = await token(`${atLimit}a`);
    assert.equal(over.status, 413);
    const json = await over.json();
    assert.equal(json.error, 'invalid_request');
    assert.match(json.error_description, /larger than 65536 bytes/);
    assert.equal(json.error_uri, `${server.url}/oauth/2.0/errors/invalid_request`);
  });

  it('refuses more than 200 parameters, in the body or the query, with invalid_request', async () => {
    const many = Array.from({ length: 201 }, (_, i) => `p${i}=1`).join('&');
    for (const response of [await token(many), await fetch(`${server.url}/oauth/2.0/token?${many}`)]) {
      assert.equal(response.status, 400);
      const json = await response.json();
      assert.equal(json.error, 'invalid_request');
      assert.match(json.error_description, /more than 200 parameters/);
    }
  });

  it('answers a 60 KB parameter value with a 4xx naming the problem, never 500', async () => {
    const response = await token(new URLSearchParams({ grant_type: 'client_credentials', client_id: 'x'.repeat(60_000), client_secret: 'y' }).toString());
    assert.equal(response.status, 401);
    assert.equal((await response.json()).error, 'invalid_client');
    const scope = await token(new URLSearchParams({ grant_type: 'client_credentials', ...creds, scope: 'basic '.repeat(10_000) }).toString());
    assert.equal(scope.status, 200, 'a repeated scope name is one scope');
  });

  it('answers request headers over 16 KiB with 431 and a SPEC §4 JSON error (Node\'s limit), never 500', async () => {
    const answer = await rawRequest(port, `GET /oauth/2.0/tokeninfo HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    const { status, json } = statusAndJson(answer);
    assert.equal(status, 431);
    assert.equal(json['error'], 'invalid_request');
    assert.equal(json['error_uri'], `${server.url}/oauth/2.0/errors/invalid_request`);
  });

  it('answers raw non-ASCII bytes in the request line with 400 invalid_request JSON', async () => {
    const answer = await rawRequest(port, Buffer.concat([Buffer.from('GET /oauth/2.0/'), Buffer.from('中文', 'utf8'), Buffer.from(' HTTP/1.1\r\nHost: x\r\n\r\n')]));
    const { status, json } = statusAndJson(answer);
    assert.equal(status, 400);
    assert.equal(json['error'], 'invalid_request');
    assert.equal(typeof json['error_description'], 'string');
  });

  it('answers a path with invalid percent-encoding with invalid_request: JSON on OAuth paths, a page elsewhere', async () => {
    const json = await fetch(`${server.url}/oauth/2.0/%ZZ`);
    assert.equal(json.status, 400);
    assert.deepEqual(Object.keys(await json.json()), ['error', 'error_description', 'error_uri']);
    const page = await fetch(`${server.url}/console/apps/%E0%A4%A`);
    assert.equal(page.status, 400);
    assert.match(page.headers.get('content-type')!, /^text\/html/);
    assert.match(await page.text(), /data-error-code="invalid_request"/);
  });

  it('answers an over-long path parameter with invalid_request, not Fastify\'s 414 JSON', async () => {
    const response = await fetch(`${server.url}/console/apps/${'a'.repeat(300)}`);
    assert.equal(response.status, 400);
    assert.match(await response.text(), /data-error-code="invalid_request"/);
  });

  it('sets request and connection timeouts so a slow client cannot hold a connection forever', () => {
    const http = server.instance.app.server;
    assert.equal(http.requestTimeout, 30_000);
    assert.equal(http.timeout, 30_000);
    assert.ok(http.headersTimeout <= 60_000);
  });

  it('keeps answering while 1,000 idle connections hold half-sent requests (slowloris)', async (t) => {
    const sockets: Socket[] = [];
    try {
      await Promise.all(
        Array.from({ length: 1000 }, () =>
          new Promise<void>((resolve, reject) => {
            const socket = connect(port, '127.0.0.1', () => {
              socket.write('POST /oauth/2.0/token HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n');
              resolve();
            });
            socket.on('error', reject);
            sockets.push(socket);
          }),
        ),
      );
      const started = Date.now();
      const response = await token(new URLSearchParams({ grant_type: 'client_credentials', ...creds }).toString());
      const ms = Date.now() - started;
      t.diagnostic(`a token request beside 1,000 half-open connections took ${ms} ms`);
      assert.equal(response.status, 200);
      assert.ok(ms < 2000, `${ms} ms`);
    } finally {
      for (const socket of sockets) socket.destroy();
    }
  });
});
