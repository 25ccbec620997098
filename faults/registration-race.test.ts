/**
 * Registrations racing on three instances leave no half-made app (issue 18
 * item 4, second half). Three `gatehouse serve` processes on one PostgreSQL
 * schema with GATEHOUSE_REGISTRATION=token:
 *
 * 1. one initial access token of N uses, raced from all three instances by
 *    3N concurrent POST /oauth/2.0/register (RFC 7591 §3): exactly N 201, the
 *    rest 401 invalid_token (the use is spent atomically before the app is made);
 * 2. a stream of registrations at all three, with `kill -9` of one instance
 *    in the middle of it, then that instance restarted and registering too.
 *
 * Then every 201 answer's app exists: its registration access token reads it
 * (RFC 7592 §2: GET registration_client_uri 200, asked of every instance in
 * turn) and its client_secret gets a token by client_credentials (RFC 6749
 * §4.4). In the database, every app row has exactly one `app.create` audit
 * event and every such event its row: the row and its event are one
 * transaction (commitChange), so a kill cannot leave one without the other.
 * Bounded: a fixed number of requests, on loopback.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { gatehouse } from '../test/scale/process.js';
import { createTestSchema } from '../test/storage/pg-schema.js';
import { withPostgres } from '../test/storage/pg-suite.js';
import { startCluster, type Cluster } from './cluster.js';

const N = 12;
const STREAM = 360;
const WORKERS_PER_INSTANCE = 4;
const KILL_AFTER = 120;
const KILLED = 1;

interface Made {
  clientId: string;
  clientSecret: string;
  registrationToken: string;
  uri: string;
}

type Outcome = { status: number; body: Record<string, unknown> } | Error;

async function register(base: string, token: string, name: string): Promise<Outcome> {
  try {
    const response = await fetch(`${base}/oauth/2.0/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ client_name: name, grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic' }),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
  } catch (error) {
    return error as Error;
  }
}

function made(outcome: Outcome): Made | undefined {
  if (outcome instanceof Error || outcome.status !== 201) return undefined;
  const body = outcome.body;
  return { clientId: String(body['client_id']), clientSecret: String(body['client_secret']), registrationToken: String(body['registration_access_token']), uri: String(body['registration_client_uri']) };
}

async function initialToken(cluster: Cluster, uses: number): Promise<string> {
  return (JSON.parse(await gatehouse(['registration-tokens', 'create', '--uses', String(uses), '--json'], cluster.env)) as { token: string }).token;
}

/** RFC 7592 §2 at `base` (the URI's path on another instance: one database behind all three) and RFC 6749 §4.4 with HTTP Basic. */
async function works(base: string, app: Made): Promise<string | undefined> {
  const read = await fetch(`${base}${new URL(app.uri).pathname}`, { headers: { authorization: `Bearer ${app.registrationToken}` } });
  const readBody = (await read.json()) as Record<string, unknown>;
  if (read.status !== 200 || readBody['client_id'] !== app.clientId) return `GET registration_client_uri at ${base}: ${read.status} ${JSON.stringify(readBody).slice(0, 160)}`;
  const basic = Buffer.from(`${encodeURIComponent(app.clientId)}:${encodeURIComponent(app.clientSecret)}`).toString('base64');
  const token = await fetch(`${base}/oauth/2.0/token`, { method: 'POST', headers: { authorization: `Basic ${basic}` }, body: new URLSearchParams({ grant_type: 'client_credentials' }) });
  const tokenBody = (await token.json()) as Record<string, unknown>;
  if (token.status !== 200 || typeof tokenBody['access_token'] !== 'string') return `client_credentials at ${base}: ${token.status} ${JSON.stringify(tokenBody).slice(0, 160)}`;
  return undefined;
}

withPostgres('registrations racing on three instances', (base) => {
  describe('registrations racing on three instances, one killed in the middle (PostgreSQL)', () => {
    it('admits exactly N on a token of N uses, and leaves every app whole: its row, its one app.create event, its tokens working', async (t) => {
      const schema = await createTestSchema(base);
      const cluster = await startCluster(schema.url, { env: { GATEHOUSE_LOG_LEVEL: 'error', GATEHOUSE_REGISTRATION: 'token', GATEHOUSE_REGISTRATION_RATE: '1000000' } });
      const apps: Made[] = [];
      try {
        // 1. One token of N uses, 3N registrations at once, N from each instance.
        const limited = await initialToken(cluster, N);
        const raced = await Promise.all(Array.from({ length: 3 * N }, (_, i) => register(cluster.instances[i % 3]!.url, limited, `race ${i}`)));
        const admitted = raced.map(made).filter((app): app is Made => app !== undefined);
        const refused = raced.filter((o) => !(o instanceof Error) && o.status === 401 && o.body['error'] === 'invalid_token').length;
        t.diagnostic(`token of ${N} uses raced by ${3 * N} registrations on 3 instances: ${admitted.length} 201, ${refused} 401 invalid_token, ${raced.length - admitted.length - refused} other`);
        assert.equal(admitted.length, N);
        assert.equal(refused, 2 * N);
        apps.push(...admitted);

        // 2. The stream, with kill -9 of one instance in the middle.
        const bulk = await initialToken(cluster, 10 * STREAM);
        let sent = 0;
        let answered = 0;
        let killedAt = -1;
        const lost: string[] = [];
        const statuses = new Map<string, number>();
        const worker = async (home: number) => {
          while (sent < STREAM) {
            const i = sent++;
            if (i === KILL_AFTER) {
              killedAt = answered;
              await cluster.kill9(KILLED);
            }
            // A killed home is left for a live instance, as a load balancer would.
            const target = cluster.live().includes(cluster.instances[home]!) ? cluster.instances[home]!.url : cluster.base();
            const outcome = await register(target, bulk, `stream ${i}`);
            const key = outcome instanceof Error ? 'transport error' : String(outcome.status);
            statuses.set(key, (statuses.get(key) ?? 0) + 1);
            if (outcome instanceof Error) lost.push(target);
            else answered++;
            const app = made(outcome);
            if (app) apps.push(app);
            else if (!(outcome instanceof Error)) assert.fail(`registration ${i} at ${target}: ${outcome.status} ${JSON.stringify(outcome.body).slice(0, 200)}`);
          }
        };
        await Promise.all(Array.from({ length: 3 * WORKERS_PER_INSTANCE }, (_, w) => worker(w % 3)));
        assert.equal(cluster.live().length, 2, 'one instance was killed');
        t.diagnostic(`stream: ${STREAM} registrations on 3 instances, instance ${KILLED} killed with kill -9 after ${killedAt} answers; ${[...statuses].map(([s, n]) => `${s}:${n}`).join(' ')} (transport errors: requests in flight at the kill)`);
        for (const target of lost) assert.equal(target, cluster.instances[KILLED]!.url, 'only the killed instance lost requests');

        // 3. The killed instance, restarted, registers too.
        const restarted = await cluster.restart(KILLED);
        const afterRestart = await Promise.all(Array.from({ length: 10 }, (_, i) => register(restarted.url, bulk, `restarted ${i}`)));
        for (const outcome of afterRestart) assert.equal(outcome instanceof Error ? outcome.message : outcome.status, 201);
        apps.push(...afterRestart.map(made).filter((app): app is Made => app !== undefined));

        // Every 201: readable with its registration access token and its secret working, asked of each instance in turn.
        const broken: string[] = [];
        for (const [i, app] of apps.entries()) {
          const problem = await works(cluster.instances[i % 3]!.url, app);
          if (problem) broken.push(`${app.clientId}: ${problem}`);
        }
        t.diagnostic(`${apps.length} apps answered 201 (${N} raced + stream + 10 after the restart): ${broken.length} not working (registration access token or client_secret)`);
        assert.deepEqual(broken.slice(0, 10), []);

        const db = new pg.Client({ connectionString: schema.url });
        await db.connect();
        try {
          const count = async (query: string, values: unknown[] = []) => Number((await db.query<{ n: string }>(query, values)).rows[0]!.n);
          const rows = await count('SELECT count(*) AS n FROM clients');
          const dynamic = await count("SELECT count(*) AS n FROM clients WHERE registration = 'dynamic'");
          const events = await count("SELECT count(*) AS n FROM audit_events WHERE action = 'app.create'");
          const rowsWithoutEvent = await count("SELECT count(*) AS n FROM clients c WHERE NOT EXISTS (SELECT 1 FROM audit_events a WHERE a.action = 'app.create' AND a.target_type = 'app' AND a.target_id = c.client_id)");
          const eventsWithoutRow = await count("SELECT count(*) AS n FROM audit_events a WHERE a.action = 'app.create' AND NOT EXISTS (SELECT 1 FROM clients c WHERE c.client_id = a.target_id)");
          const doubled = await count("SELECT count(*) AS n FROM (SELECT target_id FROM audit_events WHERE action = 'app.create' GROUP BY target_id HAVING count(*) > 1) d");
          const missing = await count('SELECT count(*) AS n FROM unnest($1::text[]) AS id WHERE NOT EXISTS (SELECT 1 FROM clients c WHERE c.client_id = id)', [apps.map((app) => app.clientId)]);
          t.diagnostic(`database: ${rows} app rows (${dynamic} self-registered, ${dynamic - apps.length} of them made by requests the kill cut before their answer), ${events} app.create events; ${rowsWithoutEvent} rows without their event, ${eventsWithoutRow} events without their row, ${doubled} apps with more than one event, ${missing} answered 201 without a row`);
          assert.equal(rowsWithoutEvent, 0);
          assert.equal(eventsWithoutRow, 0);
          assert.equal(doubled, 0);
          assert.equal(missing, 0);
          assert.equal(events, rows);
          assert.ok(dynamic >= apps.length);
          assert.ok(dynamic - apps.length <= lost.length, 'no more unanswered apps than requests lost at the kill');
        } finally {
          await db.end();
        }
      } finally {
        await cluster.stop();
        await schema.drop();
      }
    });
  });
});
