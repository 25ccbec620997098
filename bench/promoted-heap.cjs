/**
 * Where the old generation's garbage comes from (issue 17, peak RSS): preloaded into a
 * Gatehouse server, V8's sampling heap profiler keeps the samples of objects that outlived
 * the young generation (collected by a mark-compact, or still live) and drops those a
 * scavenge freed. At exit it writes /tmp/promoted-<pid>.heapprofile.
 *
 *   BENCH_NODE_FLAGS="-r ./bench/promoted-heap.cjs" BENCH_ENDPOINTS=token npm run bench
 *   node bench/promoted-heap.cjs /tmp/promoted-<pid>.heapprofile   # the bytes by function
 *
 * The session is in-process (node:inspector), so its callbacks run synchronously and
 * the profile can be taken in an 'exit' handler.
 */
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');

function record() {
  const { Session } = require('node:inspector');
  const session = new Session();
  session.connect();
  session.post('HeapProfiler.enable');
  session.post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: false });
  process.on('exit', () => {
    session.post('HeapProfiler.stopSampling', (error, result) => {
      if (!error) writeFileSync(`/tmp/promoted-${process.pid}.heapprofile`, JSON.stringify(result.profile));
    });
  });
}

/** Sampled bytes by allocating function, and by the nearest frame in Gatehouse's own code (dist/). */
function summarize(file, top = 20) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const bySelf = new Map();
  const byOwn = new Map();
  let total = 0;
  const add = (map, key, size) => map.set(key, (map.get(key) ?? 0) + size);
  const walk = (node, own) => {
    const f = node.callFrame;
    const name = `${f.functionName || '(anonymous)'} ${f.url.replace(/.*node_modules\//, '').replace(/.*\/dist\//, 'dist/')}:${f.lineNumber + 1}`;
    const mine = f.url.includes('/dist/') ? name : own;
    if (node.selfSize > 0) {
      total += node.selfSize;
      add(bySelf, name, node.selfSize);
      add(byOwn, mine, node.selfSize);
    }
    for (const child of node.children) walk(child, mine);
  };
  walk(profile.head, '(no Gatehouse frame)');
  for (const [title, map] of [['allocating function', bySelf], ['nearest Gatehouse frame', byOwn]]) {
    console.log(`\n${title}: ${(total / 2 ** 20).toFixed(1)} MB sampled`);
    for (const [name, size] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((100 * size) / total).toFixed(1).padStart(5)} %  ${name}`);
  }
}

if (require.main === module) summarize(process.argv[2]);
else record();
