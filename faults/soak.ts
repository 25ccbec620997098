/**
 * The soak (issue 18 item 5): `npm run soak` runs a `gatehouse serve` process
 * for --minutes (default 20) under the mixed load of faults/mixed-load.ts
 * (every grant, introspection, revocation, userinfo, pages), first on SQLite
 * then on PostgreSQL, and samples the server every 10 s: RSS (/proc), open
 * file descriptors (/proc/PID/fd), event-loop lag (prom-client's p99 and max
 * from /metrics, reset at each scrape) and database size. After a warm-up
 * (the first 15 %; on SQLite at least until the database outgrew the 16 MB
 * page cache, which fills as it grows), none may show a growth trend, and no request may get an
 * answer the load did not ask for; the server may log no error.
 *
 *   npm run soak -- --backend sqlite --minutes 20
 *   GATEHOUSE_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run soak -- --backend postgres
 *
 * Load goes only to 127.0.0.1, from a bounded number of workers, and stops by
 * itself after --minutes. Exit code 1 when a criterion fails. The samples and
 * the verdict are written to --out (default soak-BACKEND.json in the temp dir).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { freePort } from '../test/helpers/server.js';
import { BUILT_CLI, gatehouse, serve } from '../test/scale/process.js';
import { createTestSchema } from '../test/storage/pg-schema.js';
import { mixedLoad, type LoadTarget } from './mixed-load.js';
import { invalidTokens } from './helpers.js';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'sqlite,postgres' },
    minutes: { type: 'string', default: '20' },
    workers: { type: 'string', default: '6' },
    pause: { type: 'string', default: '20' },
    out: { type: 'string' },
  },
});
const MINUTES = Number(values.minutes);
const WORKERS = Math.min(Number(values.workers), 32);
const SAMPLE_MS = 10_000;
const PG_BASE = process.env['GATEHOUSE_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Sample {
  t: number;
  rssMb: number;
  /** RSS split as /proc/PID/status gives it: malloc and V8 (anon), mapped files (the binary, libraries), shared memory (SQLite's WAL index). */
  rssAnonMb: number;
  rssFileMb: number;
  rssShmemMb: number;
  heapUsedMb: number;
  fds: number;
  lagP99Ms: number;
  lagMaxMs: number;
  dbBytes: number;
  tokenRows: number;
  requests: number;
}

/** Least-squares slope of y over t (per second). */
function slope(points: { t: number; y: number }[]): number {
  const n = points.length;
  const mt = points.reduce((a, p) => a + p.t, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  const num = points.reduce((a, p) => a + (p.t - mt) * (p.y - my), 0);
  const den = points.reduce((a, p) => a + (p.t - mt) ** 2, 0);
  return den === 0 ? 0 : num / den;
}
const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / Math.max(xs.length, 1);

function memory(pid: number): { rss: number; anon: number; file: number; shmem: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const mb = (field: string) => Math.round(Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) / 102.4) / 10;
  return { rss: mb('VmRSS'), anon: mb('RssAnon'), file: mb('RssFile'), shmem: mb('RssShmem') };
}

function metric(text: string, name: string): number {
  const match = new RegExp(`^${name} ([0-9.e+-]+)`, 'm').exec(text);
  return match ? Number(match[1]) : NaN;
}

async function soak(backend: 'sqlite' | 'postgres') {
  const dir = mkdtempSync(join(tmpdir(), `gatehouse-soak-${backend}-`));
  const schema = backend === 'postgres' ? await createTestSchema(PG_BASE) : undefined;
  const sqlitePath = join(dir, 'gatehouse.db');
  const databaseUrl = schema?.url ?? `sqlite:${sqlitePath}`;
  const port = await freePort();
  const env = {
    GATEHOUSE_DATABASE_URL: databaseUrl,
    GATEHOUSE_COOKIE_SECRET: randomBytes(32).toString('base64url'),
    GATEHOUSE_DEVICE_POLL_INTERVAL: '1',
    GATEHOUSE_GC_INTERVAL: '60',
    GATEHOUSE_LOG_LEVEL: 'warn',
  };
  const redirectUri = 'https://app.example.com/cb';
  await gatehouse(['migrate'], env);
  const client = JSON.parse(await gatehouse(['clients', 'create', '--name', 'Soak', '--root-domain', 'example.com', '--redirect-uri', redirectUri, '--scopes', 'basic,openid', '--json'], env)) as { client_id: string; client_secret: string };
  const person = { username: 'soak', password: 'correct horse battery' };
  await gatehouse(['users', 'create', '--username', person.username, '--password', person.password], env);
  // The built server, as `npm start` runs it (its V8 flags included): RSS is what operators get.
  const server = await serve([], env, port, 120_000, BUILT_CLI);
  const pid = server.child.pid!;
  const pgClient = schema ? new pg.Client({ connectionString: schema.url }) : undefined;
  await pgClient?.connect();

  // SQLite's page cache (better-sqlite3 builds it at 16 MB a connection) fills as the database
  // grows past it: bounded memory, not a leak, so the warm-up lasts until the file outgrew it.
  let pageCacheBytes = 0;
  if (!pgClient) {
    const { default: BetterSqlite3 } = await import('better-sqlite3');
    const db = new BetterSqlite3(sqlitePath, { readonly: true });
    const size = db.pragma('cache_size', { simple: true }) as number;
    pageCacheBytes = size < 0 ? -size * 1024 : size * (db.pragma('page_size', { simple: true }) as number);
    db.close();
  }
  const dbSize = async (): Promise<{ bytes: number; rows: number }> => {
    if (pgClient) {
      const size = await pgClient.query<{ bytes: string }>(
        "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r'",
      );
      const rows = await pgClient.query<{ n: string }>('SELECT count(*) AS n FROM tokens');
      return { bytes: Number(size.rows[0]!.bytes), rows: Number(rows.rows[0]!.n) };
    }
    const file = (suffix: string) => {
      try {
        return statSync(sqlitePath + suffix).size;
      } catch {
        return 0;
      }
    };
    // Rows counted through a read-only connection of our own (WAL: no lock on the server).
    const { default: BetterSqlite3 } = await import('better-sqlite3');
    const db = new BetterSqlite3(sqlitePath, { readonly: true });
    try {
      const rows = (db.prepare('SELECT count(*) AS n FROM tokens').get() as { n: number }).n;
      return { bytes: file('') + file('-wal'), rows };
    } finally {
      db.close();
    }
  };

  const target: LoadTarget = { base: () => server.url, client, person, redirectUri };
  const started = Date.now();
  const endAt = started + MINUTES * 60_000;
  const samples: Sample[] = [];
  const loadPromise = mixedLoad(target, { workers: WORKERS, until: () => Date.now() >= endAt, pauseMs: Number(values.pause), deviceInterval: 1, keep: 500 });
  const sampler = (async () => {
    while (Date.now() < endAt) {
      await sleep(SAMPLE_MS);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      const requests = [...metrics.matchAll(/^gatehouse_http_requests_total\{[^}]*\} (\d+)/gm)].reduce((a, m) => a + Number(m[1]), 0);
      const { bytes, rows } = await dbSize();
      const mem = memory(pid);
      const sample: Sample = {
        t: Math.round((Date.now() - started) / 1000),
        rssMb: mem.rss,
        rssAnonMb: mem.anon,
        rssFileMb: mem.file,
        rssShmemMb: mem.shmem,
        heapUsedMb: Math.round(metric(metrics, 'gatehouse_nodejs_heap_size_used_bytes') / 104857.6) / 10,
        fds: readdirSync(`/proc/${pid}/fd`).length,
        lagP99Ms: Math.round(metric(metrics, 'gatehouse_nodejs_eventloop_lag_p99_seconds') * 1e4) / 10,
        lagMaxMs: Math.round(metric(metrics, 'gatehouse_nodejs_eventloop_lag_max_seconds') * 1e4) / 10,
        dbBytes: bytes,
        tokenRows: rows,
        requests,
      };
      samples.push(sample);
      console.log(`[${backend}] t=${sample.t}s rss=${sample.rssMb}MB (anon ${sample.rssAnonMb} file ${sample.rssFileMb} shmem ${sample.rssShmemMb}) heap=${sample.heapUsedMb}MB fds=${sample.fds} lag p99=${sample.lagP99Ms}ms max=${sample.lagMaxMs}ms db=${(bytes / 1048576).toFixed(1)}MB tokens=${rows} requests=${requests}`);
    }
  })();
  const [{ tally, answered }] = await Promise.all([loadPromise, sampler]);

  const lost = await invalidTokens(server.url, answered);
  await server.stop('SIGTERM');
  const log = server.output();
  const errorLines = log.split('\n').filter((line) => /"level":(5\d|60)/.test(line));
  await pgClient?.end();
  await schema?.drop();
  rmSync(dir, { recursive: true, force: true });

  // After the warm-up (15 % of the run, and on SQLite until the file is larger than the page cache):
  // growth over the rest of the run, from a least-squares line, and first third vs last third.
  const cacheFullAt = samples.find((s) => s.dbBytes > pageCacheBytes)?.t ?? Infinity;
  // (A database that never outgrew the cache held it to the file's size: the 15 % alone then.)
  const warmUpEnds = Math.max(MINUTES * 60 * 0.15, Number.isFinite(cacheFullAt) ? cacheFullAt : 0);
  const warm = samples.filter((s) => s.t >= warmUpEnds);
  const span = warm.length > 1 ? warm[warm.length - 1]!.t - warm[0]!.t : 0;
  const third = Math.max(1, Math.floor(warm.length / 3));
  const firstThird = warm.slice(0, third);
  const lastThird = warm.slice(-third);
  const round = (x: number) => Math.round(x * 10) / 10;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  // Memory is a sawtooth (V8 collects late, then RSS drops by tens of MB), so a fitted line over
  // it says little: a leak shows as a rising floor — the lowest value of the last third above
  // the lowest of the first — and as a rising peak.
  const floorAndPeak = (pick: (s: Sample) => number) => ({
    floorFirst: round(Math.min(...firstThird.map(pick))),
    floorLast: round(Math.min(...lastThird.map(pick))),
    peakFirst: round(Math.max(...firstThird.map(pick))),
    peakLast: round(Math.max(...lastThird.map(pick))),
    fitted: round(slope(warm.map((s) => ({ t: s.t, y: pick(s) }))) * span),
  });
  const rss = floorAndPeak((s) => s.rssMb);
  const heap = floorAndPeak((s) => s.heapUsedMb);
  // Where RSS lives (reported, not judged): a rise in anon beside a flat V8 heap is the native allocator's.
  const parts = { anon: floorAndPeak((s) => s.rssAnonMb), file: floorAndPeak((s) => s.rssFileMb), shmem: floorAndPeak((s) => s.rssShmemMb) };
  const fds = floorAndPeak((s) => s.fds);
  const lag = { first: median(firstThird.map((s) => s.lagP99Ms)), last: median(lastThird.map((s) => s.lagP99Ms)) };
  // Bytes the database grew by per token row written, in the first and the last third: the
  // rows themselves are kept (a day of grace, src/jobs/gc.ts), so the size grows with them, but
  // each row must cost the same at the end as at the start (no bloat on top of the rows).
  const perRow = (part: Sample[]) => (part.length < 2 ? 0 : (part[part.length - 1]!.dbBytes - part[0]!.dbBytes) / Math.max(part[part.length - 1]!.tokenRows - part[0]!.tokenRows, 1));
  const bytesPerRow = { first: perRow(warm.slice(0, third + 1)), last: perRow(warm.slice(-third - 1)) };
  const rssBudget = Math.max(20, rss.floorFirst * 0.1);
  const heapBudget = Math.max(10, heap.floorFirst * 0.1);
  const checks = {
    [`RSS floor and peak rise < ${rssBudget.toFixed(0)} MB after warm-up (floor ${rss.floorFirst} → ${rss.floorLast} MB, peak ${rss.peakFirst} → ${rss.peakLast} MB; fitted line ${rss.fitted} MB)`]:
      rss.floorLast - rss.floorFirst < rssBudget && rss.peakLast - rss.peakFirst < rssBudget,
    [`V8 heap used floor rises < ${heapBudget.toFixed(0)} MB after warm-up (floor ${heap.floorFirst} → ${heap.floorLast} MB, peak ${heap.peakFirst} → ${heap.peakLast} MB; fitted line ${heap.fitted} MB)`]: heap.floorLast - heap.floorFirst < heapBudget,
    [`open fds do not grow after warm-up (${fds.floorFirst}–${fds.peakFirst} → ${fds.floorLast}–${fds.peakLast})`]: fds.peakLast - fds.peakFirst < 5,
    [`event-loop p99 lag, median of the last third <= first third x1.5 + 10 ms (first ${lag.first} ms, last ${lag.last} ms)`]: lag.last <= lag.first * 1.5 + 10,
    [`database growth per token row written does not rise > 25 % (first third ${bytesPerRow.first.toFixed(0)} B/row, last third ${bytesPerRow.last.toFixed(0)} B/row)`]: bytesPerRow.last <= bytesPerRow.first * 1.25 + 64,
    [`no unexpected answer (${tally.unexpectedCount} of ${tally.total})`]: tally.unexpectedCount === 0,
    [`every kept token still valid (${answered.length} checked, ${lost.length} invalid)`]: lost.length === 0,
    [`no error logged by the server (${errorLines.length})`]: errorLines.length === 0,
  };
  const byStatus = Object.fromEntries([...tally.byStatus()].sort());
  const verdict = {
    backend,
    minutes: MINUTES,
    workers: WORKERS,
    requests: tally.total,
    perSecond: Math.round(tally.total / (MINUTES * 60)),
    byStatus,
    byRequest: Object.fromEntries([...tally.counts].sort()),
    unexpected: tally.unexpected,
    errorLines: errorLines.slice(0, 20),
    checks,
    rssParts: parts,
    warmUpSeconds: warmUpEnds,
    pageCacheBytes,
    mallocArenaMax: process.env['MALLOC_ARENA_MAX'] ?? null,
    samples,
  };
  const out = values.out ? values.out.replace('BACKEND', backend) : join(tmpdir(), `soak-${backend}.json`);
  writeFileSync(out, JSON.stringify(verdict, null, 2));
  console.log(`\n[${backend}] ${MINUTES} min, ${WORKERS} workers: ${tally.total} requests (${verdict.perSecond}/s) ${JSON.stringify(byStatus)}`);
  console.log(`[${backend}] warm-up: the first ${warmUpEnds} s${pageCacheBytes > 0 ? ` (the database passed SQLite's ${(pageCacheBytes / 1048576).toFixed(0)} MB page cache at ${cacheFullAt} s)` : ''}`);
  for (const [part, v] of Object.entries(parts)) console.log(`[${backend}] rss ${part}: floor ${v.floorFirst} → ${v.floorLast} MB, peak ${v.peakFirst} → ${v.peakLast} MB`);
  for (const [check, ok] of Object.entries(checks)) console.log(`[${backend}] ${ok ? 'ok  ' : 'FAIL'} ${check}`);
  if (tally.unexpected.length > 0) console.log(`[${backend}] unexpected:\n  ${tally.unexpected.join('\n  ')}`);
  if (errorLines.length > 0) console.log(`[${backend}] server errors:\n  ${errorLines.slice(0, 5).join('\n  ')}`);
  console.log(`[${backend}] samples and verdict: ${out}`);
  return Object.values(checks).every(Boolean);
}

let allOk = true;
for (const backend of values.backend!.split(',')) {
  if (backend !== 'sqlite' && backend !== 'postgres') throw new Error(`--backend: sqlite or postgres, not ${backend}`);
  allOk = (await soak(backend)) && allOk;
}
process.exit(allOk ? 0 : 1);
