#!/usr/bin/env node
// Type-checks every package: each tsconfig*.json under the workspaces and test/.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dirs = ['protocol', 'openapi', 'edge', 'host-pool', 'client', 'test', 'deploy'];
const workers = join(root, 'workers');
if (existsSync(workers)) for (const d of readdirSync(workers)) dirs.push(join('workers', d));

const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
let failed = 0;
for (const dir of dirs) {
  const abs = join(root, dir);
  if (!existsSync(abs)) continue;
  for (const file of readdirSync(abs).filter((f) => /^tsconfig.*\.json$/.test(f))) {
    const project = join(dir, file);
    const res = spawnSync(process.execPath, [tsc, '-p', project], { cwd: root, stdio: 'inherit' });
    if (res.status !== 0) {
      failed++;
      console.error(`typecheck failed: ${project}`);
    }
  }
}
process.exit(failed ? 1 : 0);
