/**
 * GATEHOUSE_HEAP_GROWING_PERCENT: how far V8 lets the old generation grow past
 * what the last full collection kept, for `gatehouse serve`. Unset, V8 decides.
 *
 * Under load, request objects that outlive two young-generation collections
 * (a turn's batched writes, the connections in flight) are promoted and die
 * soon after. V8 sets the next full collection's limit at the surviving heap
 * times a factor that it raises up to 4× while collections are cheap: with
 * ~25 MB surviving, the old generation fills with ~70 MB of dead objects before
 * it is collected, and the bench's peak RSS is ~200 MB. A fixed 50 % keeps the
 * peak at ~150 MB; the price, measured on one pinned core, is ~7 % more CPU per
 * request and about twice the p99 at full load (more full collections, whose
 * marking shares the core). So it is the operator's choice, not the default
 * (docs/performance.md, issue 17).
 *
 * V8 reads the factor each time it sets a limit, so setting it after start-up
 * takes effect, as the flag on node's command line does (node refuses that
 * flag in NODE_OPTIONS, and the `gatehouse` shebang takes no more flags).
 * An operator's own `node --heap-growing-percent=N` wins.
 */
import { setFlagsFromString } from 'node:v8';

const FLAG = /--heap[-_]growing[-_]percent\b/;

/** What is in force, for the start-up log line. */
export type HeapGrowth = number | 'node flag' | 'v8 default';

export function limitHeapGrowth(percent: number | undefined, execArgv: readonly string[] = process.execArgv): HeapGrowth {
  if (execArgv.some((arg) => FLAG.test(arg))) return 'node flag';
  if (percent === undefined) return 'v8 default';
  setFlagsFromString(`--heap-growing-percent=${percent}`);
  return percent;
}
