import type { Budget } from './budget.js';
import { createCollector, MB, type BenchmarkResult } from './results.js';
import { RuntimeUnavailable, type RuntimeChild, type RuntimeKind } from './runtime-child.js';
import { launch, orderFor, type RuntimeSetup } from './runtimes.js';

export interface StartupSuiteOptions {
  rounds: number;
  /** How long the runtime idles with its empty flows before memory is read. */
  settleMs: number;
  budget: Budget;
  kinds: RuntimeKind[];
}

/** Spawn to ready with empty flows, then memory after a short idle and a forced GC. */
export async function runStartupBench(setup: RuntimeSetup, options: StartupSuiteOptions): Promise<BenchmarkResult> {
  const c = createCollector('startup', 'startup (spawn to ready, empty flows) and idle memory');
  const skip = new Set<RuntimeKind>();
  for (let round = 0; round < options.rounds && !options.budget.spent(); round++) {
    for (const kind of orderFor(round, options.kinds)) {
      if (skip.has(kind)) continue;
      let child: RuntimeChild | undefined;
      try {
        child = await launch(kind, setup);
        c.add('startup', 'ms', 'time', kind, child.startupMs);
        c.add('startup CPU', 'ms', 'time', kind, child.cpu() * 1000);
        await new Promise((r) => setTimeout(r, options.settleMs));
        const mem = await child.request({ cmd: 'mem', timeoutMs: 10000 });
        if (!mem.ok || !mem.mem) throw new Error(`mem failed: ${mem.error}`);
        c.add('idle RSS, after GC', 'MB', 'memory', kind, mem.mem.rss / MB);
        c.add('idle heap used', 'MB', 'memory', kind, mem.mem.heapUsed / MB);
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
  }
  return c.result();
}
