import type { Budget } from './budget.js';
import { createCollector, MB, type BenchmarkResult, type FloorResult } from './results.js';
import { RuntimeUnavailable, type FloorKind, type MemorySample, type RuntimeKind, type ServerChild } from './server-child.js';
import { launch, launchFloor, orderFor, type RuntimeSetup } from './runtimes.js';
import { median, ratio } from './stats.js';

export interface StartupSuiteOptions {
  rounds: number;
  /** How long the runtime idles with its empty flows before memory is read. */
  settleMs: number;
  budget: Budget;
  kinds: RuntimeKind[];
  /** Also measure the floor servers, one of each per round after the runtimes (default true). */
  floors?: boolean;
}

/**
 * The floor servers hold what any Node-RED-compatible runtime with Redoubt's security holds at
 * idle, and no flow engine: they show how much of Node-RED's idle memory is out of reach of any
 * runtime on this Node.js, whatever its engine does.
 */
const FLOORS: Array<{ kind: FloorKind; holds: string }> = [
  { kind: 'floor-http', holds: 'node:http and one scrypt login' },
  { kind: 'floor', holds: 'node:http, a ws server, an SQLite audit table (better-sqlite3), one scrypt login' },
  { kind: 'floor-express', holds: 'the same with its routes in express' },
];

/**
 * A fresh server per round: spawn to the first answer of GET /settings (a 401: listening, with
 * authentication), then to the first authenticated 200 (one login included); memory after a
 * short idle with empty flows and a forced GC.
 */
export async function runStartupBench(setup: RuntimeSetup, options: StartupSuiteOptions): Promise<BenchmarkResult> {
  const c = createCollector('startup', 'startup (spawn to GET /settings answering, empty flows) and idle memory');
  const skip = new Set<RuntimeKind>();
  const floorMem = new Map<FloorKind, MemorySample[]>(FLOORS.map((f) => [f.kind, []]));
  const nodeRedRss: number[] = [];
  for (let round = 0; round < options.rounds && !options.budget.spent(); round++) {
    for (const kind of orderFor(round, options.kinds)) {
      if (skip.has(kind)) continue;
      let child: ServerChild | undefined;
      try {
        child = await launch(kind, setup);
        c.add('startup, to GET /settings answering', 'ms', 'time', kind, child.startupMs);
        c.add('startup, to first authenticated GET /settings', 'ms', 'time', kind, child.readyMs);
        c.add('login (POST /auth/token)', 'ms', 'time', kind, child.loginMs);
        c.add('startup CPU', 'ms', 'time', kind, child.startupCpu * 1000);
        await new Promise((r) => setTimeout(r, options.settleMs));
        const mem = await child.mem();
        c.add('idle RSS, after GC', 'MB', 'memory', kind, mem.rss / MB);
        if (kind === 'node-red') nodeRedRss.push(mem.rss);
        c.add('idle private memory (RssAnon), after GC', 'MB', 'memory', kind, mem.anonRss === null ? null : mem.anonRss / MB);
        c.add('idle heap used', 'MB', 'memory', kind, mem.heapUsed / MB);
      } catch (err) {
        if (err instanceof RuntimeUnavailable) {
          skip.add(kind);
          c.note(err.message);
        } else {
          c.note(`${kind} round ${round} failed: ${(err as Error).message.split('\n')[0]}`);
          if (process.env.BENCH_DEBUG) console.error(err);
        }
      } finally {
        await child?.close();
      }
    }
    if (options.floors === false || options.budget.spent()) continue;
    for (const { kind } of FLOORS) {
      let child: ServerChild | undefined;
      try {
        child = await launchFloor(kind, setup);
        await new Promise((r) => setTimeout(r, options.settleMs));
        floorMem.get(kind)?.push(await child.mem());
      } catch (err) {
        c.note(`${kind} round ${round} failed: ${(err as Error).message.split('\n')[0]}`);
      } finally {
        await child?.close();
      }
    }
  }
  const result = c.result();
  const floors = floorResults(floorMem, median(nodeRedRss));
  if (floors.length > 0) {
    result.floors = floors;
    for (const f of floors) {
      result.notes.push(`${f.kind} (${f.holds}; no flow engine): idle RSS ${(f.rss / MB).toFixed(1)} MB, RssAnon ${f.anonRss === null ? 'n/a' : (f.anonRss / MB).toFixed(1)} MB${f.ratio === null ? '' : `, ${f.ratio.toFixed(2)}x of Node-RED's idle RSS`}`);
    }
  }
  return result;
}

function floorResults(samples: Map<FloorKind, MemorySample[]>, nodeRedRss: number | null): FloorResult[] {
  const out: FloorResult[] = [];
  for (const { kind, holds } of FLOORS) {
    const mems = samples.get(kind) ?? [];
    const rss = median(mems.map((m) => m.rss));
    if (rss === null) continue;
    out.push({
      kind,
      holds,
      rss,
      anonRss: median(mems.map((m) => m.anonRss)),
      heapUsed: median(mems.map((m) => m.heapUsed)),
      ratio: ratio(rss, nodeRedRss),
      samples: mems.map((m) => m.rss),
    });
  }
  return out;
}
