// Runs every *.test.ts under src/ and test/ with Node's built-in runner through tsx.
// Node 20's `node --test` does not expand globs nor pick up .ts files itself, hence this list.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function findTests(dir, out = []) {
  let entries;
  try { entries = readdirSync(dir); } catch { return out; }
  for (const name of entries) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) findTests(full, out);
    else if (name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

// A folder given on the command line stands for the spec files under it; `node --test` given a
// folder would find no .ts spec and pass with 0 tests, which proves nothing.
const only = process.argv.slice(2).flatMap((arg) => (statSync(arg, { throwIfNoEntry: false })?.isDirectory() ? findTests(arg).sort() : [arg]));
// The bench's own unit tests are quick and need no Node-RED install; bench/integration is run by hand.
const files = process.argv.length > 2 ? only : [...findTests('src'), ...findTests('test'), ...findTests('bench/lib'), ...findTests('bench/flows')].sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=120000', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
