#!/usr/bin/env node
/**
 * Where a server's CPU went, from a V8 profile that `BENCH_CPU_PROF=DIR npm run bench`
 * (or `node --cpu-prof`) wrote: self time by area (Node's HTTP, Fastify, pino, SQLite,
 * Gatehouse's own layers, GC, idle) and the top functions, as shares of the busy time.
 *
 *   node bench/profile-summary.mjs DIR/CPU.….cpuprofile [--top 25] [--callers NAME]
 *
 * --callers NAME: for the functions called NAME, their self time by the nearest caller in
 * Gatehouse's own code (dist/), to say which query or step spends it.
 * --last SECONDS: only the samples of the profile's last SECONDS (a row's measured window ends
 * just before its server stops), so that start-up and seeding are left out.
 * --skip SECONDS: with --last, the window ends SECONDS before the profile does: a row that is
 * not the server's last (the code exchange, ~13.5 s before the refresh row ends with the
 * defaults' 3 s warm-up and 10 s measured).
 * --inclusive: the top functions by total time (their own and their callees', each sample
 * counted once per function on its stack): what an endpoint's handler costs as a whole, which
 * self time hides where V8 inlined a callee into its caller.
 *
 * A .cpuprofile is Chrome DevTools' JSON: nodes (a call tree, each with its function and
 * its children) and, per sample, the node that was on top with the time since the last one.
 */
import { areaOf, byArea, keyOf, readProfile, selfTimes } from './lib/profile.mjs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' }, callers: { type: 'string' }, last: { type: 'string' }, skip: { type: 'string', default: '0' }, inclusive: { type: 'boolean' } } });
if (positionals.length === 0) {
  console.error('usage: node bench/profile-summary.mjs FILE.cpuprofile [--top N]');
  process.exit(2);
}

for (const file of positionals) {
  const read = readProfile(file);
  const { byId, at, parent } = read;
  // --last: the window ends --skip seconds before the last sample and lasts --last seconds.
  const to = at[at.length - 1] - Number(values.skip) * 1e6;
  const from = values.last === undefined ? -Infinity : to - Number(values.last) * 1e6;
  const self = selfTimes(read, from, to);
  const { areas, functions, busy: total, idle } = byArea(read, self);
  const pct = (micros) => `${((100 * micros) / total).toFixed(1).padStart(5)} %`;
  console.log(`${file}\nbusy ${(total / 1e6).toFixed(1)} s, idle ${(idle / 1e6).toFixed(1)} s\n\nby area (self time, share of busy):`);
  for (const [area, micros] of [...areas].sort((a, b) => b[1] - a[1])) console.log(`  ${pct(micros)}  ${area}`);
  console.log(`\ntop ${values.top} functions (self time):`);
  for (const [name, micros] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) console.log(`  ${pct(micros)}  ${name}`);
  if (values.inclusive) {
    const inclusive = new Map();
    for (const [id, micros] of self) {
      if (micros === 0 || areaOf(byId.get(id).callFrame) === 'idle') continue;
      const seen = new Set();
      for (let node = id; node !== undefined; node = parent.get(node)) seen.add(keyOf(byId.get(node).callFrame));
      for (const key of seen) inclusive.set(key, (inclusive.get(key) ?? 0) + micros);
    }
    console.log(`\ntop ${values.top} functions (total time: their own and their callees'):`);
    for (const [name, micros] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) console.log(`  ${pct(micros)}  ${name}`);
  }
  if (values.callers !== undefined) {
    const owners = new Map();
    for (const [id, micros] of self) {
      if (byId.get(id).callFrame.functionName !== values.callers) continue;
      let at = parent.get(id);
      while (at !== undefined && !/\/dist\/(core|http|storage|jobs)\//.test(byId.get(at).callFrame.url)) at = parent.get(at);
      const frame = at === undefined ? undefined : byId.get(at).callFrame;
      const key = frame === undefined ? '(no Gatehouse caller)' : `${frame.functionName || '(anonymous)'}  ${frame.url.replace(/^.*\/dist\//, 'dist/')}:${frame.lineNumber + 1}`;
      owners.set(key, (owners.get(key) ?? 0) + micros);
    }
    console.log(`\n${values.callers}: self time by nearest Gatehouse caller:`);
    for (const [key, micros] of [...owners].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) console.log(`  ${pct(micros)}  ${key}`);
  }
  console.log('');
}
