/**
 * The database going away under load. Restarting the shared PostgreSQL is not
 * safe in CI, so the instance reaches PostgreSQL through a TCP proxy on
 * loopback that the test cuts (every connection reset, new ones refused) and
 * restores. While it is cut, requests must fail cleanly — 503
 * temporarily_unavailable with Retry-After, /health 503 — and afterwards the
 * same instance must recover on its own, with no token lost.
 */
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { createTestSchema, PG_SKIP_MESSAGE, PG_URL } from '../test/storage/pg-schema.js';
import { freePort, startServer } from '../test/helpers/server.js';
import { describeStatuses, invalidTokens, tokenLoad } from './helpers.js';

/** A loopback TCP proxy to `target` that can be cut and restored on the same port. */
class CuttableProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  constructor(readonly port: number, private readonly target: { host: string; port: number }) {}

  async open(): Promise<void> {
    this.server = createServer((inbound) => {
      const outbound = connect(this.target.port, this.target.host);
      for (const socket of [inbound, outbound]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      inbound.pipe(outbound).pipe(inbound);
      inbound.on('close', () => outbound.destroy());
      outbound.on('close', () => inbound.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  async cut(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server?.close(() => resolve()));
    for (const socket of this.sockets) socket.resetAndDestroy();
    await closed;
  }
}

describe('PostgreSQL unreachable under load (TCP proxy cut and restored)', () => {
  if (PG_URL === undefined) {
    it('runs only with PostgreSQL', (t) => t.diagnostic(PG_SKIP_MESSAGE));
    return;
  }
  it('answers 503 temporarily_unavailable while the database is gone and recovers on its own, losing no token', async (t) => {
    const schema = await createTestSchema(PG_URL!);
    const real = new URL(schema.url);
    const proxy = new CuttableProxy(await freePort(), { host: real.hostname, port: Number(real.port || 5432) });
    await proxy.open();
    const viaProxy = new URL(schema.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const server = await startServer({ databaseUrl: viaProxy.toString() });
    try {
      const made = await server.createApp();
      const client = { clientId: made.clientId, clientSecret: made.clientSecret! };
      let phase: 'up' | 'down' | 'back' | 'done' = 'up';
      const load = tokenLoad(server.url, client, () => phase === 'done', 10);
      await sleep(800);
      phase = 'down';
      await proxy.cut();
      await sleep(1500);
      const health = await fetch(`${server.url}/health`);
      const direct = await fetch(`${server.url}/oauth/2.0/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret }) });
      const directBody = await direct.json();
      await proxy.open();
      phase = 'back';
      // Recovery without a restart: the pool opens new connections through the restored proxy.
      let recoveredAfter = -1;
      for (let i = 0; i < 100 && recoveredAfter < 0; i++) {
        const probe = await fetch(`${server.url}/oauth/2.0/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret }) });
        if (probe.status === 200) recoveredAfter = i * 100;
        else await sleep(100);
      }
      await sleep(800);
      phase = 'done';
      const result = await load;

      t.diagnostic(`outage: statuses ${describeStatuses(result.statuses)}; recovered ${recoveredAfter} ms after the proxy came back`);
      assert.equal(health.status, 503);
      assert.equal(direct.status, 503);
      assert.equal(direct.headers.get('retry-after'), '1');
      assert.equal(directBody.error, 'temporarily_unavailable');
      assert.equal(directBody.error_uri, `${server.url}/oauth/2.0/errors/temporarily_unavailable`);
      assert.ok(recoveredAfter >= 0, 'the instance recovered by itself');
      for (const status of result.statuses.keys()) assert.ok(status === 200 || status === 503, `unexpected ${status}`);
      for (const body of result.bodies) assert.equal(body['error'], 'temporarily_unavailable');
      assert.ok((result.statuses.get(503) ?? 0) > 0, 'some load requests met the outage');
      assert.equal((await fetch(`${server.url}/health`)).status, 200);
      const lost = await invalidTokens(server.url, result.tokens);
      t.diagnostic(`outage: ${result.tokens.length} tokens answered 200 checked after recovery, ${lost.length} invalid`);
      assert.deepEqual(lost.slice(0, 10), []);
    } finally {
      await server.close();
      await proxy.cut();
      await schema.drop();
    }
  });
});
