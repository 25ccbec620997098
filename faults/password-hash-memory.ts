/**
 * Run by faults/password-hash-memory.test.ts in a child process: hashes
 * passwords as sign-ins do (core/users.ts, scrypt on the thread pool, four at
 * a time) with small allocations in between, as a serving process makes, and
 * prints how far the anonymous RSS (malloc's memory, outside V8's heap) grew.
 */
import { readFileSync } from 'node:fs';
import { hashPassword } from '../src/core/users.js';

const anonMb = () => Number(/^RssAnon:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? NaN) / 1024;
const kept: Buffer[] = [];
await hashPassword('warm-up password');
const start = anonMb();
for (let round = 0; round < 16; round++) {
  await Promise.all(Array.from({ length: 4 }, (_, i) => hashPassword(`password ${round} ${i}`)));
  for (let i = 0; i < 2_000; i++) kept.push(Buffer.allocUnsafeSlow(200 + (i % 7) * 300));
  if (kept.length > 8_000) kept.splice(0, 4_000);
}
console.log(JSON.stringify({ grewMb: Math.round(anonMb() - start), mmapThreshold: process.env['MALLOC_MMAP_THRESHOLD_'] ?? null }));
