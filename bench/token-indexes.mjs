// What the tokens table's secondary indexes cost a code exchange or a refresh (issue 17,
// docs/performance.md round 7): the pair of rows those grants write, inserted as Gatehouse's
// SqliteTokenStore does it (one two-row prepared INSERT, the turn's inserts in one
// transaction, WAL, synchronous=NORMAL), into the tokens table that Gatehouse's own migrations
// create (`gatehouse migrate`, from dist/), keeping of its indexes
//   none        the primary key only (as bench/floor.mjs's tables),
//   expires     tokens_expires alone, the cleanup's index on expires_at that every row paid
//               until round 9 (issue 17) replaced it by a walk of the primary key (src/jobs/gc.ts),
//   all         every index the migrations leave: tokens_family and tokens_user_client (partial:
//               rows of a family, of a user) and tokens_revoked (partial: none of these rows is revoked),
//   all + expires  the same with tokens_expires created again: the table as it was before round 9,
// "all" with one user (as the bench's rows) and with 10,000 (entries spread over the index);
// and the one row a client credentials token writes, as migrated and with tokens_expires again.
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

const EXPIRES = 'CREATE INDEX tokens_expires ON tokens (expires_at)';
const VARIANTS = [
  { name: 'none', keep: [], users: 1 },
  { name: 'expires', keep: [], add: [EXPIRES], users: 1 },
  { name: 'all, 1 user', keep: 'all', users: 1 },
  { name: 'all + expires, 1 user', keep: 'all', add: [EXPIRES], users: 1 },
  { name: 'all, 10,000 users', keep: 'all', users: 10_000 },
  // A client credentials token: one row, no user, no family, so none of the partial indexes.
  { name: 'client credentials row', keep: 'all', users: 0, single: true },
  { name: 'client credentials row + expires', keep: 'all', add: [EXPIRES], users: 0, single: true },
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
  for (const statement of variant.add ?? []) db.exec(statement);
  const row = '(?, ?, ?, ?, ?, ?, ?, ?, ?)';
  const insert = db.prepare(`INSERT INTO tokens (id, kind, secret_hash, client_id, uid, scope, family_id, created_at, expires_at) VALUES ${row}${variant.single ? '' : `, ${row}`}`);
  const turn = db.transaction((first, now) => {
    for (let i = first; i < first + TURN && i < PAIRS; i++) {
      const uid = `user-${i % variant.users}`;
      if (variant.single) {
        insert.run([i + 1, 'access', hashes[i % hashes.length], 'bench-client', null, 'basic', null, now, now + 2_592_000_000]);
        continue;
      }
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
// Against the primary key alone: 'none' for a pair; a client credentials row as migrated has no secondary index.
const baseline = (variant) => median(results.get(variant.single ? 'client credentials row' : 'none'));
console.log(`${PAIRS} pairs of token rows (or single client credentials rows), ${TURN} a transaction, ${ROUNDS} rounds alternated; CPU µs per pair (or row)`);
console.log('| tokens table | µs per pair or row (rounds) | median | over the primary key only |');
console.log('|---|---|---:|---:|');
for (const variant of VARIANTS) {
  const values = results.get(variant.name);
  const m = median(values);
  const over = m - baseline(variant);
  console.log(`| ${variant.name} | ${values.map((v) => v.toFixed(2)).join(' · ')} | ${m.toFixed(2)} | ${variant.name === 'none' || variant.name === 'client credentials row' ? '' : `${over >= 0 ? '+' : ''}${over.toFixed(2)}`} |`);
}
