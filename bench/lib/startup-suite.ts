import type { Budget } from './budget.js';
import { createCollector, MB, type BenchmarkResult } from './results.js';
import { RuntimeUnavailable, type RuntimeKind, type ServerChild } from './server-child.js';
import { launch, orderFor, type RuntimeSetup } from './runtimes.js';

export interface StartupSuiteOptions {
  rounds: number;
  /** How long the runtime idles with its empty flows before memory is read. */
  settleMs: number;
  budget: Budget;
  kinds: RuntimeKind[];
}

/**
 * A fresh server per round: spawn to the first answer of GET /settings (a 401: listening, with
 * authentication), then to the first authenticated 200 (one login included); memory after a
 * short idle with empty flows and a forced GC.
 */
export async function runStartupBench(setup: RuntimeSetup, options: StartupSuiteOptions): Promise<BenchmarkResult> {
  const c = createCollector('startup', 'startup (spawn to GET /settings answering, empty flows) and idle memory');
  const skip = new Set<RuntimeKind>();
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
  }
  return c.result();
}
