/**
 * Time-ordered row ids: milliseconds since 2025-01-01 in the high bits, 12
 * random bits below. They grow, so B-tree inserts append to the last page
 * (PERFORMANCE-NOTES.md: random keys halve insert throughput), yet they do not
 * count how many tokens were issued. 41 bits of milliseconds last until 2094;
 * the whole id stays below 2^53, a safe JavaScript integer.
 *
 * Within one process ids strictly increase. Two instances may draw the same id
 * in the same millisecond; stores insert with ON CONFLICT DO NOTHING and ask
 * for a fresh id for the rows that lost.
 */
import { randomInt } from 'node:crypto';

const EPOCH = Date.UTC(2025, 0, 1);
const RANDOM_BITS = 4096; // 2^12

let last = 0;

export function nextId(now: number = Date.now()): number {
  const candidate = (now - EPOCH) * RANDOM_BITS + randomInt(RANDOM_BITS);
  last = candidate > last ? candidate : last + 1;
  return last;
}
