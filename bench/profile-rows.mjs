#!/usr/bin/env node
/**
 * Where each row's CPU went, every row of one profiled pass at once: for each row of
 * RESULTS_DIR/rows.json, the samples of its own measured window (rows.json's `window`: the
 * server's pid and the window on CLOCK_MONOTONIC, which is a V8 profile's clock) out of that
 * server's profile in PROFILE_DIR, as self µs per request by part. Rows of raw node:http have no
 * profile (only Gatehouse and the durable floor are profiled) and are left out.
 *
 *   BENCH_CPU_PROF=/tmp/prof npm run bench
 *   node bench/profile-rows.mjs bench/results/<stamp> /tmp/prof [--functions N]
 *
 * CPU µs (all threads) is the row's own figure (/proc, every thread: libuv's pool and V8's helpers
 * too); profiled busy is the main thread's samples, which the parts add up to.
 * --functions N: under the table, each row's top N functions by self time.
 * A profiled server runs slower than an unprofiled one: read the parts, not the total's req/s.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { byArea, readProfile, selfTimes } from './lib/profile.mjs';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { functions: { type: 'string', default: '0' } } });
if (positionals.length !== 2) {
  console.error('usage: node bench/profile-rows.mjs RESULTS_DIR PROFILE_DIR [--functions N]');
  process.exit(2);
}
const [resultsDir, profileDir] = positionals;

// The columns: profile-summary's areas, grouped. A server's own JavaScript holds the time of
// the native SQLite calls it makes (V8 charges a C++ binding to its JS caller).
const PARTS = [
  ['own code', ['Gatehouse storage', 'Gatehouse core', 'Gatehouse http', 'Gatehouse (other)', 'other']],
  ['Fastify', ['Fastify']],
  ['node:http, net, other', ['node:http', 'node:net / streams', 'node (other)']],
  ['native (writev …)', ['native / builtins']],
  ['crypto + jose', ['node:crypto', 'jose']],
  ['pino + prom', ['pino / serializers', 'prom-client']],
  ['GC + V8', ['GC', 'V8/native (program)']],
  ['packages', ['SQLite (better-sqlite3)', 'Kysely', 'pg', 'other packages']],
];

const profiles = new Map();
for (const name of readdirSync(profileDir)) {
  const pid = /^CPU\.\d+\.\d+\.(\d+)\..*\.cpuprofile$/.exec(name)?.[1];
  if (pid !== undefined) profiles.set(Number(pid), join(profileDir, name));
}
const reads = new Map();
const readOf = (pid) => {
  if (!reads.has(pid)) reads.set(pid, readProfile(profiles.get(pid)));
  return reads.get(pid);
};

const rows = JSON.parse(readFileSync(join(resultsDir, 'rows.json'), 'utf8'));
const label = (row) => [row.server, row.database, row.log, row.endpoint].filter(Boolean).join(' · ');
const measured = rows.filter((row) => row.window !== undefined && profiles.has(row.window.pid) && row.requests > 0);
if (measured.length === 0) {
  console.error(`no row of ${resultsDir}/rows.json has a profile in ${profileDir} (was the pass run with BENCH_CPU_PROF=${profileDir}?)`);
  process.exit(1);
}

const us = (micros, row) => (micros / row.requests).toFixed(1);
console.log(`self CPU µs per request, each row's measured window only (${resultsDir}, profiles ${profileDir})\n`);
console.log(`| row | CPU µs (all threads) | profiled busy | ${PARTS.map(([name]) => name).join(' | ')} |`);
console.log(`|---|---:|---:|${PARTS.map(() => '---:').join('|')}|`);
const tops = [];
for (const row of measured) {
  const read = readOf(row.window.pid);
  const { areas, functions, busy } = byArea(read, selfTimes(read, row.window.fromUs, row.window.toUs));
  const cells = PARTS.map(([, names]) => us(names.reduce((sum, name) => sum + (areas.get(name) ?? 0), 0), row));
  console.log(`| ${label(row)} | ${row.cpuUsPerReq.toFixed(1)} | ${us(busy, row)} | ${cells.join(' | ')} |`);
  tops.push([row, functions]);
}
const top = Number(values.functions);
if (top > 0) {
  for (const [row, functions] of tops) {
    console.log(`\n${label(row)}: top ${top} functions, self µs per request`);
    for (const [name, micros] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${us(micros, row).padStart(6)}  ${name}`);
  }
}
