/**
 * src/heap-growth.ts: GATEHOUSE_HEAP_GROWING_PERCENT bounds how far V8's old
 * generation grows past what the last full collection kept (peak memory under
 * load, issue 17); unset, V8 decides; an operator's own --heap-growing-percent wins.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ConfigError, loadConfig } from '../../src/config.js';
import { limitHeapGrowth } from '../../src/heap-growth.js';
import { freePort } from '../helpers/server.js';
import { CLI, serve } from '../scale/process.js';

const CHURN = join(import.meta.dirname, 'heap-churn.ts');

async function committedMb(percent: string): Promise<number> {
  // The shebang's young generation (--max-semi-space-size=8), as `gatehouse serve` runs.
  const { stdout } = await promisify(execFile)(process.execPath, ['--max-semi-space-size=8', '--import', 'tsx', CHURN, percent], { timeout: 120_000 });
  return (JSON.parse(stdout.trim().split('\n').pop()!) as { committedMb: number }).committedMb;
}

describe('heap growth', () => {
  it('keeps the committed heap near what survives when short-lived objects are promoted, at 50 %', async () => {
    const limited = await committedMb('50');
    const unlimited = await committedMb('');
    // Measured: ~89 MB at 50 %, ~192 MB with V8's own factor (a ~40 MB live ring).
    assert.ok(limited < 130, `committed heap reached ${limited.toFixed(1)} MB at 50 % (V8's own: ${unlimited.toFixed(1)} MB)`);
    assert.ok(unlimited > limited * 1.4, `the churn must show V8's own growth (${unlimited.toFixed(1)} MB) above the limited one (${limited.toFixed(1)} MB)`);
  });

  it("is set by GATEHOUSE_HEAP_GROWING_PERCENT in `gatehouse serve`, which says what is in force in its start-up line; an operator's `node --heap-growing-percent` wins", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-heap-'));
    try {
      const listening = async (env: Record<string, string>, entry: string[]) => {
        const served = await serve(['--database', `sqlite:${join(dir, 'g.db')}`], { GATEHOUSE_LOG_LEVEL: 'info', ...env }, await freePort(), 60_000, entry);
        await served.stop();
        const line = served.output().split('\n').find((l) => l.includes('"gatehouse listening"'));
        assert.ok(line, `no start-up line in:\n${served.output()}`);
        return (JSON.parse(line) as { heapGrowth?: unknown }).heapGrowth;
      };
      const cli = [process.execPath, '--import', 'tsx', CLI];
      assert.equal(await listening({}, cli), 'v8 default');
      assert.equal(await listening({ GATEHOUSE_HEAP_GROWING_PERCENT: '50' }, cli), 50);
      assert.equal(await listening({ GATEHOUSE_HEAP_GROWING_PERCENT: '50' }, [process.execPath, '--heap-growing-percent=80', '--import', 'tsx', CLI]), 'node flag');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a value that is not a whole percent from 1 to 300, naming the variable', () => {
    for (const raw of ['0', '301', '50.5', 'half', '-5']) {
      assert.throws(
        () => loadConfig({}, { GATEHOUSE_HEAP_GROWING_PERCENT: raw }),
        (error) => error instanceof ConfigError && error.message === `GATEHOUSE_HEAP_GROWING_PERCENT must be a whole number from 1 to 300 (percent), got ${JSON.stringify(raw)}`,
      );
    }
    assert.equal(loadConfig({}, { GATEHOUSE_HEAP_GROWING_PERCENT: '300' }).heapGrowingPercent, 300);
    assert.equal(loadConfig({}, {}).heapGrowingPercent, undefined);
  });

  it("reads an operator's flag in either spelling", () => {
    assert.equal(limitHeapGrowth(50, ['--heap_growing_percent=80']), 'node flag');
    assert.equal(limitHeapGrowth(undefined, ['--max-semi-space-size=8']), 'v8 default');
  });
});
