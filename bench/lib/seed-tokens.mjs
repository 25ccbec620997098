/**
 * Fills a Gatehouse SQLite database with live tokens, fast: one transaction of
 * prepared INSERTs through the real schema (the `tokens` table of the initial
 * migration), run while the server is stopped. Ids are made the way core/ids.ts
 * makes them (milliseconds since 2025-01-01 × 4096 + 12 random bits), spread over
 * the hour before now and strictly increasing, so they sort below every id the
 * server issues afterwards. Half are client-credentials tokens (no user, no
 * family); half are user tokens with a family, so both partial indexes hold
 * 500,000 entries too. Secrets are random; only their SHA-256 is stored, as the
 * server stores it. Every token expires 30 days from now: all are live.
 */
import { createHash, randomBytes } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';

const EPOCH = Date.UTC(2025, 0, 1);

export function seedTokens(path, { count, clientId, uids }) {
  const db = new BetterSqlite3(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const insert = db.prepare(
    'INSERT INTO tokens (id, kind, secret_hash, client_id, uid, scope, family_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const now = Date.now();
  const start = now - 3_600_000;
  const random = randomBytes(count * 2 + 32 * 1024);
  let last = 0;
  const started = process.hrtime.bigint();
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const createdAt = start + Math.floor((i * 3_600_000) / count);
      const candidate = (createdAt - EPOCH) * 4096 + (random.readUInt16LE(i * 2) & 4095);
      const id = candidate > last ? candidate : last + 1;
      last = id;
      const secret = randomBytes(32).toString('base64url');
      const secretHash = createHash('sha256').update(secret).digest('base64url');
      const user = i % 2 === 1;
      insert.run(id, 'access', secretHash, clientId, user ? uids[i % uids.length] : null, 'basic', user ? id : null, createdAt, now + 30 * 86_400_000);
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  const { n } = db.prepare('SELECT count(*) AS n FROM tokens WHERE expires_at > ?').get(now);
  db.close();
  return { live: n, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}
