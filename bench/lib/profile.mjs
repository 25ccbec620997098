/**
 * Reading a V8 CPU profile (Chrome DevTools' JSON: a call tree of nodes, and per sample the
 * node on top with the time since the last sample): each sample's time on the profile's
 * clock, and self time per node within a window. The profile's clock is CLOCK_MONOTONIC in
 * µs, the clock of `process.hrtime()`, so a window that the bench took with hrtime in its own
 * process (rows.json's `window`) selects the same samples (bench/profile-rows.mjs).
 */
import { readFileSync } from 'node:fs';

/** The area a frame belongs to, from its script URL (first match wins). */
const AREAS = [
  [/^\(garbage collector\)$/, 'GC', 'name'],
  [/^\(idle\)$/, 'idle', 'name'],
  [/^\(program\)$/, 'V8/native (program)', 'name'],
  [/node_modules\/fastify|node_modules\/find-my-way|node_modules\/light-my-request|node_modules\/avvio/, 'Fastify'],
  [/node_modules\/pino|node_modules\/sonic-boom|node_modules\/fast-json-stringify|node_modules\/fast-redact/, 'pino / serializers'],
  [/node_modules\/better-sqlite3/, 'SQLite (better-sqlite3)'],
  [/node_modules\/kysely/, 'Kysely'],
  [/node_modules\/pg|node_modules\/pg-protocol|node_modules\/pg-pool/, 'pg'],
  [/node_modules\/jose/, 'jose'],
  [/node_modules\/prom-client/, 'prom-client'],
  [/node_modules\//, 'other packages'],
  [/dist\/storage\//, 'Gatehouse storage'],
  [/dist\/core\//, 'Gatehouse core'],
  [/dist\/http\//, 'Gatehouse http'],
  [/dist\//, 'Gatehouse (other)'],
  [/^node:internal\/(http|_http)|node:_http|node:http/, 'node:http'],
  [/^node:internal\/(stream|streams)|node:stream|node:net|node:internal\/net/, 'node:net / streams'],
  [/^node:internal\/crypto|node:crypto/, 'node:crypto'],
  [/^node:/, 'node (other)'],
  [/^$/, 'native / builtins'],
];

export function areaOf(frame) {
  for (const [pattern, area, on] of AREAS) if (pattern.test(on === 'name' ? frame.functionName : frame.url)) return area;
  return 'other';
}

/** `name  path:line`, with node_modules/ and dist/ paths shortened. */
export const keyOf = (frame) => `${frame.functionName || '(anonymous)'}  ${frame.url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${frame.lineNumber + 1}`;

export function readProfile(file) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  // Each sample's time on the profile's clock (µs): startTime plus the deltas so far.
  const at = [];
  profile.timeDeltas.reduce((time, delta, index) => (at[index] = time + delta), profile.startTime);
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  return { profile, byId, at, parent };
}

/** Self µs per node id of the samples taken within [from, to] (profile clock, µs). */
export function selfTimes({ profile, at }, from, to) {
  const self = new Map();
  profile.samples.forEach((id, index) => {
    if (at[index] >= from && at[index] <= to) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  return self;
}

/** Self µs by area and by function (idle apart), and the busy and idle totals. */
export function byArea(read, self) {
  const areas = new Map();
  const functions = new Map();
  let busy = 0;
  let idle = 0;
  for (const [id, micros] of self) {
    const frame = read.byId.get(id).callFrame;
    const area = areaOf(frame);
    if (area === 'idle') {
      idle += micros;
      continue;
    }
    busy += micros;
    areas.set(area, (areas.get(area) ?? 0) + micros);
    const key = keyOf(frame);
    functions.set(key, (functions.get(key) ?? 0) + micros);
  }
  return { areas, functions, busy, idle };
}
