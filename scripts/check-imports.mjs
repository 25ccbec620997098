#!/usr/bin/env node
// The shape of src/ (issue 12): no import cycle, no import against the layers.
// The checker is the team's own, kept beside this repository in ../shared/tools;
// it exits 1 while any cycle or wrong-way import is left. CI always has it
// (a copy of shared/ sits beside the clone), so there a missing checker fails.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const checker = join(root, '..', 'shared', 'tools', 'import-graph.mjs');
if (!existsSync(checker)) {
  console.log(`import graph: ${checker} is not beside this clone; not checked here (CI checks it)`);
  process.exit(process.env.CI === 'true' ? 1 : 0);
}
const result = spawnSync(process.execPath, [checker, join(root, 'src')], { stdio: 'inherit' });
process.exit(result.status ?? 1);
