/**
 * Issue 18's soak defect: RSS rose for the whole soak while the V8 heap stayed
 * flat. Each password hash (scrypt, N=2^14, r=8) takes a 16 MiB buffer on a
 * thread-pool thread; glibc's sliding mmap threshold then serves the next such
 * buffers from per-thread arenas, which keep them after free. The `gatehouse`
 * shebang (src/cli.ts) fixes the threshold at 128 KiB, so each buffer is
 * mapped and unmapped. This runs the real hashPassword under exactly the
 * shebang's `env -S` line, and once without its environment for comparison.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { promisify } from 'node:util';

const ROOT = join(import.meta.dirname, '..');
const SCRIPT = join(import.meta.dirname, 'password-hash-memory.ts');

async function grewMb(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ grewMb: number; mmapThreshold: string | null }> {
  const { stdout } = await promisify(execFile)(command, args, { cwd: ROOT, env, timeout: 120_000 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as { grewMb: number; mmapThreshold: string | null };
}

it('password hashing under the shebang of `gatehouse` leaves no 16 MiB scrypt buffers behind in malloc arenas', async () => {
  const shebang = readFileSync(join(ROOT, 'src/cli.ts'), 'utf8').split('\n', 1)[0]!;
  assert.match(shebang, /^#!\/usr\/bin\/env -S MALLOC_MMAP_THRESHOLD_=131072 node /);
  // The shebang's own words, with tsx to run the TypeScript script in place of the built CLI.
  const words = shebang.slice('#!/usr/bin/env -S '.length).split(' ');
  const env = { ...process.env };
  delete env['MALLOC_MMAP_THRESHOLD_'];
  delete env['MALLOC_ARENA_MAX'];
  const fixed = await grewMb('/usr/bin/env', ['-S', [...words, '--import', 'tsx', SCRIPT].join(' ')], env);
  const unfixed = await grewMb(process.execPath, ['--import', 'tsx', SCRIPT], env);
  assert.equal(fixed.mmapThreshold, '131072');
  // Measured on this machine kind: ~25–35 MB with the shebang's setting, ~95 MB without.
  assert.ok(fixed.grewMb < 60, `malloc kept ${fixed.grewMb} MB after 64 password hashes with the threshold fixed (without it: ${unfixed.grewMb} MB)`);
  console.log(`anonymous RSS growth over 64 password hashes: ${fixed.grewMb} MB as the shebang runs it, ${unfixed.grewMb} MB with glibc's default`);
});
