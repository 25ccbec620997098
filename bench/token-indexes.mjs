// What the tokens table's secondary indexes cost a code exchange or a refresh (issue 17,
// docs/performance.md round 7): the pair of rows those grants write, inserted as Gatehouse's
// SqliteTokenStore does it (one two-row prepared INSERT, the turn's inserts in one
// transaction, WAL, synchronous=NORMAL), into the tokens table that Gatehouse's own migrations
// create (`gatehouse migrate`, from dist/), keeping of its indexes
//   none      the primary key only (as bench/floor.mjs's tables),
//   expires   tokens_expires (the cleanup's index; every row has one),
//   all       every one: also tokens_family and tokens_user_client (partial: rows of a family,
//             of a user) and tokens_revoked (partial: none of these rows is revoked),
// the last with one user (as the bench's rows) and with 10,000 (entries spread over the index).
// The variants alternate, ROUNDS times; CPU µs per pair (process.cpuUsage) is reported.
//
//   node bench/token-indexes.mjs            PAIRS=100000 TURN=25 ROUNDS=3 by default; needs npm run build
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const Database = createRequire(import.meta.url)('better-sqlite3');
const PAIRS = Number(process.env.PAIRS || 100_000);
const TURN = Number(process.env.TURN || 25);
const ROUNDS = Number(process.env.ROUNDS || 3);

const VARIANTS = [
  { name: 'none', keep: [], users: 1 },
  { name: 'expires', keep: ['tokens_expires'], users: 1 },
  { name: 'all, 1 user', keep: 'all', users: 1 },
  { name: 'all, 10,000 users', keep: 'all', users: 10_000 },
];

const DIR = mkdtempSync(join(tmpdir(), 'gatehouse-token-indexes-'));
const TEMPLATE = join(DIR, 'migrated.db');
execFileSync(process.execPath, [join(import.meta.dirname, '..', 'dist', 'cli.js'), 'migrate', '--database', `sqlite:${TEMPLATE}`], { stdio: 'ignore', env: { ...process.env, GATEHOUSE_LOG_LEVEL: 'warn' } });

// Secrets' hashes drawn before the clock starts: the measure is the insert, not SHA-256.
const hashes = Array.from({ length: 4096 }, () => createHash('sha256').update(randomBytes(32)).digest('base64url'));

function run(variant) {
  const file = join(DIR, 'tokens.db');
  copyFileSync(TEMPLATE, file);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tokens' AND sql IS NOT NULL").pluck().all();
  for (const index of indexes) if (variant.keep !== 'all' && !variant.keep.includes(index)) db.exec(`DROP INDEX ${index}`);
  const row = '(?, ?, ?, ?, ?, ?, ?, ?, ?)';
  const insert = db.prepare(`INSERT INTO tokens (id, kind, secret_hash, client_id, uid, scope, family_id, created_at, expires_at) VALUES ${row}, ${row}`);
  const turn = db.transaction((first, now) => {
    for (let i = first; i < first + TURN && i < PAIRS; i++) {
      const uid = `user-${i % variant.users}`;
      insert.run([2 * i + 1, 'access', hashes[(2 * i) % hashes.length], 'bench-client', uid, 'basic', i, now, now + 2_592_000_000,
        2 * i + 2, 'refresh', hashes[(2 * i + 1) % hashes.length], 'bench-client', uid, 'basic', i, now, now + 31_536_000_000]);
    }
  });
  const start = process.cpuUsage();
  const base = Date.now(); // milliseconds, as Gatehouse stores them
  for (let first = 0; first < PAIRS; first += TURN) turn(first, base + Math.floor(first / 5));
  const used = process.cpuUsage(start);
  db.close();
  rmSync(file, { force: true });
  return (used.user + used.system) / PAIRS;
}

const results = new Map(VARIANTS.map((variant) => [variant.name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const variant of VARIANTS) results.get(variant.name).push(run(variant));
}
rmSync(DIR, { recursive: true, force: true });
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const none = median(results.get('none'));
console.log(`${PAIRS} pairs of token rows, ${TURN} pairs a transaction, ${ROUNDS} rounds alternated; CPU µs per pair`);
console.log('| tokens table | µs per pair (rounds) | median | over the primary key only |');
console.log('|---|---|---:|---:|');
for (const [name, values] of results) {
  const m = median(values);
  console.log(`| ${name} | ${values.map((v) => v.toFixed(2)).join(' · ')} | ${m.toFixed(2)} | ${name === 'none' ? '' : `+${(m - none).toFixed(2)}`} |`);
}
