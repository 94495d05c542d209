/**
 * One server left idle, its memory read at several moments without forcing a collection, then
 * once after two forced ones as `npm run bench` reads it: for looking behind the startup
 * benchmark's single idle number, which is taken 1 s after the first authenticated answer.
 * Not part of `npm run bench`; it builds nothing, so run `npm run build` first.
 *
 *   node --import tsx bench/idle-memory.ts [redoubt|node-red|floor-http|floor|floor-express] [ms,ms,...]
 *   node --import tsx bench/idle-memory.ts redoubt 1000,5000,10000,15000
 *
 * Each line gives RSS and its two parts (RssAnon, the process's own pages; RssFile, the pages of
 * the `node` binary and shared libraries it has touched), then the largest mappings. V8 gives an
 * idle heap's spare young-generation pages back on its own schedule (its memory reducer, about
 * 8 s after start), so the readings before and after that moment differ by several MB.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureNodeRed } from './lib/node-red-install.js';
import { launch, launchFloor, runtimeSetup } from './lib/runtimes.js';
import type { ServerChild, ServerKind } from './lib/server-child.js';

const KINDS: readonly ServerKind[] = ['redoubt', 'node-red', 'floor-http', 'floor', 'floor-express'];
const MB = 1024 * 1024;

/** VmRSS, RssAnon and RssFile of a process, in MB, from /proc/<pid>/status. */
function statusOf(pid: number): { rss: number; anon: number; file: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) / 1024;
  return { rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile') };
}

/** Resident MB per mapping (the file's name, or [anon] and [heap]), largest first, from /proc/<pid>/smaps. */
function mappingsOf(pid: number, top = 5): string {
  const sizes = new Map<string, number>();
  let name = '';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      name = (head[1] || '[anon]').replace(/.*node_modules\//, '');
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) sizes.set(name, (sizes.get(name) ?? 0) + Number(rss[1]) / 1024);
  }
  return [...sizes].sort((a, b) => b[1] - a[1]).slice(0, top).map(([n, mb]) => `${n} ${mb.toFixed(1)}`).join(', ');
}

async function main(): Promise<void> {
  const [kindText = 'redoubt', momentsText = '1000,5000,10000,15000'] = process.argv.slice(2);
  const kind = KINDS.find((k) => k === kindText);
  const moments = momentsText.split(',').map(Number);
  if (!kind || moments.some((ms, i) => !Number.isFinite(ms) || ms < 0 || (i > 0 && ms <= moments[i - 1]!))) {
    throw new Error(`usage: idle-memory.ts [${KINDS.join('|')}] [ms,ms,... rising]; got ${kindText} ${momentsText}`);
  }
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const setup = runtimeSetup(root, ensureNodeRed(join(root, '.cache')).packageDir);
  const child: ServerChild = kind === 'redoubt' || kind === 'node-red' ? await launch(kind, setup) : await launchFloor(kind, setup);
  try {
    const ready = Date.now();
    for (const ms of moments) {
      await new Promise((r) => setTimeout(r, Math.max(0, ready + ms - Date.now())));
      const s = statusOf(child.pid);
      console.log(`${kind} +${ms} ms: RSS ${s.rss.toFixed(1)} MB (anon ${s.anon.toFixed(1)}, file ${s.file.toFixed(1)}); ${mappingsOf(child.pid)}`);
    }
    const mem = await child.mem();
    const s = statusOf(child.pid);
    console.log(`${kind} after two forced GCs: RSS ${(mem.rss / MB).toFixed(1)} MB (anon ${s.anon.toFixed(1)}, file ${s.file.toFixed(1)}), heap used ${(mem.heapUsed / MB).toFixed(1)} MB`);
  } finally {
    await child.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
