/**
 * Child process of heap-growth.test.ts: objects that outlive two young-generation
 * collections and then die (as a server's requests in flight do under load),
 * with the growth limited to argv[2] percent, or V8's own when it is empty.
 * Prints the largest committed V8 heap seen, in MB.
 */
import { getHeapStatistics } from 'node:v8';
import { limitHeapGrowth } from '../../src/heap-growth.js';

limitHeapGrowth(process.argv[2] ? Number(process.argv[2]) : undefined);
const ring: unknown[] = new Array(200_000);
let most = 0;
for (let i = 0; i < 6_000_000; i++) {
  ring[i % ring.length] = { id: i, text: `request-${i}`, more: [i, i + 1] };
  if (i % 10_000 === 0) most = Math.max(most, getHeapStatistics().total_heap_size);
}
console.log(JSON.stringify({ committedMb: most / 1048576 }));
