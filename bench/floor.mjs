// The durable floor (issue 17): the least a durable token endpoint can do on this machine,
// measured as a peer in the same run. Not a vendored peer and not Gatehouse: the design of
// ../shared/PERFORMANCE-NOTES.md's last row written as plainly as it goes, plus the two things
// no OAuth server can skip — checking the client's secret and answering its error shape.
//
// - Fastify 5 + @fastify/formbody (the notes' stack), no hooks, no log, no metrics.
// - POST /token: HTTP Basic parsed, SHA-256 of the secret compared in constant time with the
//   stored hash, 32 random bytes minted, their SHA-256 inserted under a growing integer id in
//   a `tokens` table of better-sqlite3 (WAL, synchronous=NORMAL), the inserts of one
//   event-loop turn in one transaction, each request answered after that commit.
// - POST /token/introspection: the same client check, then the token's row read by id
//   (prepared), its secret's hash compared, and the RFC 7662 answer.
//
// - GET /authorize, then POST /token with grant_type=authorization_code or refresh_token (SQLite):
//   the least a code exchange and a refresh do. /authorize mints a code (its SHA-256 under a
//   growing id, the client and redirect_uri checked, the turn's inserts in one transaction) and
//   answers 302 after that commit. The exchange reads the code (prepared, by id), compares its
//   secret's hash in constant time, checks client, expiry and redirect_uri, then in the turn's
//   transaction spends it (an UPDATE that changes one row or none: exactly once) and inserts the
//   new access and refresh tokens; answered after that commit. The refresh does the same with a
//   refresh token, which it spends for the new pair (rotation, RFC 9700 §4.14.2).
//
// So a Gatehouse row over this one's req/s says what everything else Gatehouse does (the app
// store and its cache, scope rules, the grant registry, the log line, metrics, request ids,
// error mapping) costs, on the same core in the same minute.
//
// FLOOR_DATABASE_URL=postgres://…: the same endpoints on PostgreSQL, as Gatehouse's PgTokenStore
// does it: the turn's inserts as one prepared `INSERT … SELECT FROM unnest(…)` through a `pg`
// pool of 10, answered after its commit; the turn's reads as one prepared `id = ANY($1)`.
import { hash, randomFillSync, timingSafeEqual } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Fastify from the peers' install (as fastify-raw), better-sqlite3 and pg from Gatehouse's own.
const peers = createRequire(join(import.meta.dirname, 'peers', 'package.json'));
const root = createRequire(join(import.meta.dirname, '..', 'package.json'));
const Fastify = peers('fastify');
const formbody = peers('@fastify/formbody');

const PORT = Number(process.env.PORT || 4110);
const HOST = process.env.HOST || '127.0.0.1';
// One-shot SHA-256 and random bytes drawn in blocks, as Gatehouse does (src/core/tokens.ts): the
// cheapest way node:crypto offers, so that no row's floor carries crypto Gatehouse does not pay.
const sha256 = (value) => hash('sha256', value, 'buffer');
let block = Buffer.alloc(0);
/** 32 random bytes out of an 8 KiB block drawn at once (each slice handed out once). */
function random32() {
  if (block.length < 32) block = randomFillSync(Buffer.allocUnsafe(8192));
  const out = Buffer.from(block.subarray(0, 32));
  block = block.subarray(32);
  return out;
}
const CLIENT = { id: 'bench-client', secretHash: sha256('bench-secret') };

/** better-sqlite3, WAL: each turn's writes in one transaction; reads answered at once. */
function sqliteStore() {
  const Database = root('better-sqlite3');
  const db = new Database(join(mkdtempSync(join(tmpdir(), 'gatehouse-floor-')), 'floor.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE tokens (id INTEGER PRIMARY KEY, secret_hash BLOB NOT NULL, client_id TEXT NOT NULL, scope TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL)');
  // The code rows' tables: a table per kind, so the client_credentials row's insert is the one above.
  db.exec('CREATE TABLE codes (id INTEGER PRIMARY KEY, secret_hash BLOB NOT NULL, client_id TEXT NOT NULL, redirect_uri TEXT NOT NULL, scope TEXT NOT NULL, expires_at INTEGER NOT NULL, consumed_at INTEGER)');
  db.exec('CREATE TABLE refresh_tokens (id INTEGER PRIMARY KEY, secret_hash BLOB NOT NULL, client_id TEXT NOT NULL, scope TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, consumed_at INTEGER)');
  const insert = db.prepare('INSERT INTO tokens VALUES (?, ?, ?, ?, ?, ?)');
  const select = db.prepare('SELECT * FROM tokens WHERE id = ?');
  const codes = {
    insert: db.prepare('INSERT INTO codes VALUES (?, ?, ?, ?, ?, ?, NULL)'),
    select: db.prepare('SELECT * FROM codes WHERE id = ?'),
    consume: db.prepare('UPDATE codes SET consumed_at = ? WHERE id = ? AND consumed_at IS NULL'),
  };
  const refreshTokens = {
    insert: db.prepare('INSERT INTO refresh_tokens VALUES (?, ?, ?, ?, ?, ?, NULL)'),
    select: db.prepare('SELECT * FROM refresh_tokens WHERE id = ?'),
    consume: db.prepare('UPDATE refresh_tokens SET consumed_at = ? WHERE id = ? AND consumed_at IS NULL'),
  };
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  let waiting = [];
  let reads = [];
  function answerReads() {
    const asked = reads;
    reads = [];
    for (const answer of asked) answer();
  }
  function commitTurn() {
    commit.run();
    const answered = waiting;
    waiting = [];
    for (const done of answered) done();
  }
  /** Runs `op` in the turn's transaction now; `done` is called after its commit. */
  function write(op, done) {
    if (waiting.length === 0) {
      begin.run();
      setImmediate(commitTurn);
    }
    op();
    waiting.push(done);
  }
  /** The new access and refresh tokens of a code exchange or a refresh, in the turn's transaction. */
  function pair(clientId, scope, now) {
    const access = mint(now);
    const refresh = mint(now);
    insert.run(access.id, access.hash, clientId, scope, now, now + 3_600_000);
    refreshTokens.insert.run(refresh.id, refresh.hash, clientId, scope, now, now + 30 * 86_400_000);
    return { access_token: access.token, token_type: 'Bearer', expires_in: 3600, refresh_token: refresh.token, scope };
  }
  /** A code or a refresh token spent for a new pair; `check` is the grant's own rule on the row. undefined: invalid_grant. */
  function redeem(table, token, check, done) {
    const { id, secret } = parse(token);
    const row = id === undefined ? undefined : table.select.get(id);
    const now = Date.now();
    if (row === undefined || row.consumed_at !== null || row.expires_at <= now || !timingSafeEqual(sha256(secret), row.secret_hash) || !check(row)) return done(undefined);
    let answer;
    write(() => {
      // Exactly once: of two redemptions, one UPDATE changes the row.
      if (table.consume.run(now, id).changes === 1) answer = pair(row.client_id, row.scope, now);
    }, () => done(answer));
  }
  return {
    insert(row, done) {
      write(() => insert.run(...row), done);
    },
    // Answered at the end of the turn, as Gatehouse does: on this machine that costs less
    // than answering in each socket's read callback (49 against 34 CPU µs, 2026-12-02).
    find(id, done) {
      if (reads.length === 0) setImmediate(answerReads);
      reads.push(() => done(select.get(id)));
    },
    saveCode(clientId, redirectUri, scope, done) {
      const now = Date.now();
      const code = mint(now);
      write(() => codes.insert.run(code.id, code.hash, clientId, redirectUri, scope, now + 600_000), () => done(code.token));
    },
    exchangeCode(token, clientId, redirectUri, done) {
      redeem(codes, token, (row) => row.client_id === clientId && row.redirect_uri === redirectUri, done);
    },
    rotate(token, clientId, done) {
      redeem(refreshTokens, token, (row) => row.client_id === clientId, done);
    },
  };
}

/** pg: each turn's inserts as one prepared statement over arrays, each turn's reads as one. */
async function postgresStore(url) {
  const pg = root('pg');
  pg.types.setTypeParser(pg.types.builtins.INT8, Number);
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  await pool.query('DROP TABLE IF EXISTS tokens');
  await pool.query('CREATE TABLE tokens (id BIGINT PRIMARY KEY, secret_hash BYTEA NOT NULL, client_id TEXT NOT NULL, scope TEXT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL)');
  const INSERT = { name: 'floor-insert', text: 'INSERT INTO tokens SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::text[], $4::text[], $5::bigint[], $6::bigint[])' };
  const READ = { name: 'floor-read', text: 'SELECT * FROM tokens WHERE id = ANY($1::bigint[])' };
  let rows = [];
  let inserted = [];
  let ids = [];
  let found = [];
  function insertTurn() {
    const columns = rows[0].map((_, i) => rows.map((row) => row[i]));
    const answered = inserted;
    rows = [];
    inserted = [];
    pool.query({ ...INSERT, values: columns }).then(() => {
      for (const done of answered) done();
    });
  }
  function readTurn() {
    const asked = ids;
    const answered = found;
    ids = [];
    found = [];
    pool.query({ ...READ, values: [asked] }).then((result) => {
      const byId = new Map(result.rows.map((row) => [row.id, row]));
      answered.forEach((done, i) => done(byId.get(asked[i])));
    });
  }
  return {
    insert(row, done) {
      if (rows.length === 0) setImmediate(insertTurn);
      rows.push(row);
      inserted.push(done);
    },
    find(id, done) {
      if (ids.length === 0) setImmediate(readTurn);
      ids.push(id);
      found.push(done);
    },
  };
}

let lastId = 0;
/** A credential: a growing integer id and 32 random bytes; only the bytes' SHA-256 is stored. */
function mint(now) {
  const id = (lastId = Math.max(lastId + 1, now * 1024));
  const secret = random32().toString('base64url');
  return { id, hash: sha256(secret), token: `${id}.${secret}` };
}
/** `id.secret` → its parts; {} when it is not one (then nothing is read). */
function parse(token) {
  const dot = typeof token === 'string' ? token.indexOf('.') : -1;
  const id = dot > 0 ? Number(token.slice(0, dot)) : NaN;
  return Number.isSafeInteger(id) ? { id, secret: token.slice(dot + 1) } : {};
}
const store = process.env.FLOOR_DATABASE_URL ? await postgresStore(process.env.FLOOR_DATABASE_URL) : sqliteStore();

function client(header) {
  if (typeof header !== 'string' || !header.startsWith('Basic ')) return false;
  const [id, secret] = Buffer.from(header.slice(6), 'base64').toString().split(':');
  return id === CLIENT.id && secret !== undefined && timingSafeEqual(sha256(secret), CLIENT.secretHash);
}

const app = Fastify({ logger: false });
await app.register(formbody);

const REDIRECT_URI = 'https://app.example.com/cb';
const noStore = (reply, body) => reply.header('cache-control', 'no-store').send(body);
const invalidGrant = (reply) => reply.code(400).send({ error: 'invalid_grant' });

app.post('/token', (request, reply) => {
  if (!client(request.headers.authorization)) return reply.code(401).send({ error: 'invalid_client' });
  const body = request.body ?? {};
  if (body.grant_type === 'client_credentials') {
    const now = Date.now();
    const token = mint(now);
    store.insert([token.id, token.hash, CLIENT.id, 'basic', now, now + 3_600_000], () => noStore(reply, { access_token: token.token, token_type: 'Bearer', expires_in: 3600, scope: 'basic' }));
  } else if (body.grant_type === 'authorization_code' && store.exchangeCode) {
    store.exchangeCode(body.code, CLIENT.id, body.redirect_uri, (answer) => (answer ? noStore(reply, answer) : invalidGrant(reply)));
  } else if (body.grant_type === 'refresh_token' && store.rotate) {
    store.rotate(body.refresh_token, CLIENT.id, (answer) => (answer ? noStore(reply, answer) : invalidGrant(reply)));
  } else return reply.code(400).send({ error: 'unsupported_grant_type' });
  return reply;
});

// The code rows' authorize: no person and no consent screen (the row measures the exchange), a
// code for the one client at its one redirect_uri, answered after the code's commit.
app.get('/authorize', (request, reply) => {
  const { client_id: clientId, redirect_uri: redirectUri, state, scope = 'basic' } = request.query;
  if (clientId !== CLIENT.id || redirectUri !== REDIRECT_URI || !store.saveCode) return reply.code(400).send({ error: 'invalid_request' });
  store.saveCode(clientId, redirectUri, scope, (code) => reply.redirect(`${redirectUri}?code=${code}${state ? `&state=${encodeURIComponent(state)}` : ''}`, 302));
  return reply;
});

app.post('/token/introspection', (request, reply) => {
  if (!client(request.headers.authorization)) return reply.code(401).send({ error: 'invalid_client' });
  const token = request.body?.token;
  if (typeof token !== 'string') return reply.code(400).send({ error: 'invalid_request' });
  const { id, secret } = parse(token);
  const answer = (row) => {
    const active = row !== undefined && row.expires_at > Date.now() && timingSafeEqual(sha256(secret), row.secret_hash);
    reply.header('cache-control', 'no-store');
    if (!active) return reply.send({ active: false });
    return reply.send({ active: true, client_id: row.client_id, scope: row.scope, token_type: 'Bearer', exp: Math.floor(row.expires_at / 1000), iat: Math.floor(row.created_at / 1000) });
  };
  if (id !== undefined) store.find(id, answer);
  else answer(undefined);
  return reply;
});

await app.listen({ port: PORT, host: HOST });
console.log(`durable floor listening on http://${HOST}:${PORT}`);
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => app.close().then(() => process.exit(0)));
