import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TurnLogDestination } from '../../src/turn-log-destination.js';

describe('TurnLogDestination', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-log-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('holds the lines of a turn and writes them together, in order, when the turn ends', async () => {
    const file = join(dir, 'turn.log');
    const fd = openSync(file, 'w');
    const destination = new TurnLogDestination(fd);
    destination.write('{"n":1}\n');
    destination.write('{"n":2}\n');
    assert.equal(readFileSync(file, 'utf8'), '', 'nothing is written before the turn ends');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(readFileSync(file, 'utf8'), '{"n":1}\n{"n":2}\n');
    destination.write('{"n":3}\n');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(readFileSync(file, 'utf8'), '{"n":1}\n{"n":2}\n{"n":3}\n', 'a later turn appends');
    closeSync(fd);
  });

  test('writes what is still buffered when the process exits in the same turn', () => {
    const module = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'src', 'turn-log-destination.ts');
    const output = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `import { TurnLogDestination } from ${JSON.stringify(module)}; new TurnLogDestination(1).write('last words\\n'); process.exit(0);`], { encoding: 'utf8' });
    assert.equal(output, 'last words\n');
  });
});
